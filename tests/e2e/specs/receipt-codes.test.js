// Where the QR code cannot be scanned, the code printed under it is typed in at /verify;
// finance reissues a receipt with a corrected title and the void one points to the new.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, DESKTOP, launchBrowser, PHONE, signIn, startServer } from '../harness.js';

let server;
let browser;
let receipt;

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
  const campaign = await api('/api/v1/campaigns', admin, { name: '2026年双日捐（核验码）', kind: 'double_day', starts_on: '2026-11-01', ends_on: '2026-12-31', target_fen: 100000000 });
  await api(`/api/v1/campaigns/${campaign.id}/open`, admin, {});
  const pledge = await api('/api/v1/pledges', null, {
    campaign_id: campaign.id, amount_fen: 52000,
    donor: { kind: 'individual', name: '钱多多', phone: '13904325678' }, receipt_requested: true,
  });
  const finance = (await api('/api/v1/auth/login', null, { username: 'finance', password: 'sunshine2026' })).access_token;
  const payment = await api('/api/v1/payments', finance, { amount_fen: 52000, channel: 'bank_transfer', received_on: '2026-11-22', reference_code: pledge.reference_code });
  receipt = await api('/api/v1/receipts', finance, { payment_id: payment.id, reviewer_name: '孙复核' });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the code under the QR code is typed in on a phone, a mistyped one is named', async () => {
  const phone = await (await browser.newContext(PHONE)).newPage();
  await phone.goto(`${server.base}/verify`);
  assert.ok(await phone.isVisible('label:has-text("核验码")'));
  await phone.screenshot({ path: join(artifacts, 'verify-code-form-phone.png'), fullPage: true });

  const wrong = (receipt.verify_code[0] === '7' ? '8' : '7') + receipt.verify_code.slice(1);
  await phone.fill('input[name=code]', wrong);
  await Promise.all([phone.waitForNavigation(), phone.click('button:has-text("验证")')]);
  assert.ok(await phone.isVisible('text=请核对后重新输入'), 'the mistake is named');
  assert.equal(await phone.inputValue('input[name=code]'), wrong, 'what was typed is kept');
  await phone.screenshot({ path: join(artifacts, 'verify-code-wrong-phone.png'), fullPage: true });

  await phone.fill('input[name=code]', receipt.verify_code.replace('-', '').toLowerCase());
  await Promise.all([phone.waitForNavigation(), phone.click('button:has-text("验证")')]);
  assert.ok(await phone.isVisible('text=有效收据'));
  assert.ok(await phone.isVisible(`text=${receipt.number}`));
  assert.ok(await phone.isVisible('text=到账日期'));
  await phone.screenshot({ path: join(artifacts, 'verify-code-valid-phone.png'), fullPage: true });

  const desk = await (await browser.newContext(DESKTOP)).newPage();
  await desk.goto(`${server.base}/verify`);
  await desk.screenshot({ path: join(artifacts, 'verify-code-form-desktop.png'), fullPage: true });
});

test('finance reissues with a corrected title and the void receipt points to the new one', async () => {
  const desk = await (await browser.newContext(DESKTOP)).newPage();
  await signIn(desk, server.base, 'finance');
  await desk.goto(`${server.base}/finance/receipts`);
  await desk.fill('input[placeholder=换开原因]', '抬头应为单位名称');
  await desk.click('summary:has-text("更正抬头")');
  await desk.fill('input[name=title]', '吉林市钱多多商贸有限公司');
  await desk.screenshot({ path: join(artifacts, 'finance-reissue-desktop.png'), fullPage: true });
  await Promise.all([desk.waitForNavigation(), desk.click('button:has-text("换开")')]);
  assert.ok(await desk.isVisible('text=已换开为新收据'));
  assert.ok(await desk.isVisible('td:has-text("吉林市钱多多商贸有限公司")'));

  const phone = await (await browser.newContext(PHONE)).newPage();
  await phone.goto(receipt.verify_url);
  assert.ok(await phone.isVisible('text=该收据已作废'));
  await phone.screenshot({ path: join(artifacts, 'verify-replaced-phone.png'), fullPage: true });
  await Promise.all([phone.waitForNavigation(), phone.click('a:has-text("JLCS-")')]);
  assert.ok(await phone.isVisible('text=有效收据'));
  assert.ok(await phone.isVisible(`text=${receipt.number}（已作废）`), 'the new one names the one it replaces');
});
