// The donor downloads the receipt from the pledge link, the QR link opens the verify
// page, finance voids the receipt and the verify page says so.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, DESKTOP, launchBrowser, PHONE, signIn, startServer } from '../harness.js';

let server;
let browser;
let pledge;

async function api(path, token, body) {
  const response = await fetch(`${server.base}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return response.json();
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const admin = (await api('/api/v1/auth/login', null, { username: 'admin', password: 'sunshine2026' })).access_token;
  const campaign = await api('/api/v1/campaigns', admin, { name: '2026年双日捐（票据）', kind: 'double_day', starts_on: '2026-11-01', ends_on: '2026-12-31', target_fen: 100000000 });
  await api(`/api/v1/campaigns/${campaign.id}/open`, admin, {});
  pledge = await api('/api/v1/pledges', null, {
    campaign_id: campaign.id, amount_fen: 88800,
    donor: { kind: 'individual', name: '赵丽', phone: '13904321234' }, receipt_requested: true,
  });
  const finance = (await api('/api/v1/auth/login', null, { username: 'finance', password: 'sunshine2026' })).access_token;
  await api('/api/v1/payments', finance, { amount_fen: 88800, channel: 'wechat_pay', received_on: '2026-11-20', reference_code: pledge.reference_code });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('finance issues, the donor downloads, the QR link verifies, a void shows', async () => {
  const desk = await (await browser.newContext(DESKTOP)).newPage();
  await signIn(desk, server.base, 'finance');
  await desk.goto(`${server.base}/finance/receipts`);
  assert.ok(await desk.isVisible('td:has-text("赵丽")'), 'the pending receipt is listed');
  await Promise.all([desk.waitForNavigation(), desk.click('button:has-text("全部开具")')]);
  assert.ok(await desk.isVisible('text=已开具 1 张收据'));
  await desk.screenshot({ path: join(artifacts, 'finance-receipts.png'), fullPage: true });

  const phoneContext = await browser.newContext({ ...PHONE, acceptDownloads: true });
  const phone = await phoneContext.newPage();
  await phone.goto(`${server.base}${pledge.link}`);
  const link = phone.locator('a:has-text("下载收据")');
  const href = await link.getAttribute('href');
  const pdf = await phone.request.get(`${server.base}${href}`);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  assert.ok((await pdf.body()).subarray(0, 4).toString() === '%PDF');
  await phone.screenshot({ path: join(artifacts, 'pledge-with-receipt-phone.png'), fullPage: true });

  // The QR code's link, as the API gives it.
  const finance = (await api('/api/v1/auth/login', null, { username: 'finance', password: 'sunshine2026' })).access_token;
  const receipt = await api('/api/v1/receipts', finance, { payment_id: (await api(`/api/v1/pledges/${pledge.id}?token=${pledge.access_token}`)).payments[0].id });
  await phone.goto(receipt.verify_url);
  assert.ok(await phone.isVisible('text=有效收据'));
  assert.ok(await phone.isVisible('text=赵*'));
  await phone.screenshot({ path: join(artifacts, 'verify-valid-phone.png'), fullPage: true });

  await desk.reload();
  await desk.fill('input[placeholder=作废原因]', '金额登记有误');
  await Promise.all([desk.waitForNavigation(), desk.click('button:has-text("作废")')]);
  assert.ok(await desk.isVisible('text=已作废'));

  await phone.reload();
  assert.ok(await phone.isVisible('text=该收据已作废'));
  await phone.screenshot({ path: join(artifacts, 'verify-voided-phone.png'), fullPage: true });
  await phoneContext.close();
});
