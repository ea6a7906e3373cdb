// Finance, the admin and a coordinator finish every case on their pages: an overpaid
// pledge after a warning, a reversal with its reason, a pledge found by its code and
// matched from the result, a short remittance matched to its list after confirming the
// difference, receipts issued one by one, paginated and filtered lists; a campaign closed
// after saying what it will do; a list uploaded twice refused, confirmed, withdrawn.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, DESKTOP, launchBrowser, PHONE, signIn, startServer } from '../harness.js';

let server;
let browser;
let admin;
let finance;
let unitToken;
let unitId;

async function api(path, token, body) {
  const response = await fetch(`${server.base}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return response.json();
}

async function login(username) {
  return api('/api/v1/auth/login', null, { username, password: 'sunshine2026' });
}

async function openCampaign(name) {
  const campaign = await api('/api/v1/campaigns', admin, { name, kind: 'double_day', starts_on: '2026-11-01', ends_on: '2026-12-31', target_fen: 100000000 });
  await api(`/api/v1/campaigns/${campaign.id}/open`, admin, {});
  return campaign;
}

async function pledge(campaign, name, amountFen) {
  return api('/api/v1/pledges', null, {
    campaign_id: campaign.id, amount_fen: amountFen,
    donor: { kind: 'individual', name, phone: '13904321234' }, receipt_requested: true,
  });
}

async function pay(amountFen, referenceCode, payer = '工商银行') {
  return api('/api/v1/payments', finance, { amount_fen: amountFen, channel: 'bank_transfer', received_on: '2026-11-20', payer_reference: payer, reference_code: referenceCode });
}

async function uploadList(campaign, csv, name = '名单.csv') {
  const form = new FormData();
  form.append('campaign_id', campaign.id);
  form.append('file', new Blob([csv], { type: 'text/csv' }), name);
  const response = await fetch(`${server.base}/api/v1/units/${unitId}/rosters`, {
    method: 'POST', headers: { authorization: `Bearer ${unitToken}` }, body: form,
  });
  return response.json();
}

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  admin = (await login('admin')).access_token;
  finance = (await login('finance')).access_token;
  const unit = await login('unit');
  unitToken = unit.access_token;
  unitId = unit.user.unit_id;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('finance records an overpayment only after the warning, and reverses a payment with a reason', async () => {
  const campaign = await openCampaign('2026年双日捐（多付）');
  const made = await pledge(campaign, '钱多多', 10000);
  const page = await (await browser.newContext(DESKTOP)).newPage();
  await signIn(page, server.base, 'finance');
  await page.goto(`${server.base}/finance/payments`);
  await page.fill('input[name=amount_yuan]', '150');
  await page.fill('input[name=reference_code]', made.reference_code);
  await submit(page, 'button:has-text("登记")');
  assert.ok(await page.isVisible('text=将多付 ¥50.00'), 'the difference is shown before anything is recorded');
  const before = await api(`/api/v1/payments?amount_fen=15000`, finance);
  assert.equal(before.total, 0, 'nothing recorded yet');
  await page.screenshot({ path: join(artifacts, 'finance-overpaid-confirm.png'), fullPage: true });
  await submit(page, 'button:has-text("确认多付并登记")');
  assert.ok(await page.isVisible('text=多付 ¥50.00'));
  const after = await api(`/api/v1/payments?amount_fen=15000`, finance);
  assert.equal(after.total, 1);
  assert.equal(after.items[0].status, 'matched');

  // Reversed from the list, with its reason.
  const row = page.locator('table.payments tr', { hasText: '¥150.00' }).first();
  await row.locator('input[name=reason]').fill('金额录错，重新登记');
  await Promise.all([page.waitForNavigation(), row.locator('button:has-text("冲正")').click()]);
  assert.ok(await page.isVisible('text=已冲正 ¥150.00（原因：金额录错，重新登记）'));
  assert.ok(await page.isVisible('text=冲正原因：金额录错，重新登记'));
  const reversals = await api('/api/v1/payments?status=reversal', finance);
  assert.equal(reversals.total, 1);
  assert.equal(reversals.items[0].reason, '金额录错，重新登记');
  await page.close();
});

test('finance finds a pledge by its code, matches it from the result, and matches a short remittance to its list', async () => {
  const campaign = await openCampaign('2026年双日捐（匹配）');
  const made = await pledge(campaign, '孙悦', 20000);
  await pay(20000, null, '孙悦 建设银行');
  const list = await uploadList(campaign, '姓名,金额(元)\n张三,100\n李四,50\n');
  const short = await pay(14000, list.reference_code, '吉林化纤厂工会');
  assert.equal(short.status, 'unmatched');

  const page = await (await browser.newContext(DESKTOP)).newPage();
  await signIn(page, server.base, 'finance');
  await page.goto(`${server.base}/finance/payments?q=${made.reference_code.toLowerCase()}`);
  const found = page.locator('table.found tr', { hasText: made.reference_code });
  assert.ok(await found.isVisible(), 'found by its code');
  await found.locator('select[name=payment_id]').selectOption({ label: '2026-11-20 ¥200.00 孙悦 建设银行' });
  await Promise.all([page.waitForNavigation(), found.locator('button:has-text("匹配")').click()]);
  assert.ok(await page.isVisible(`text=已将 ¥200.00 匹配到认捐 ${made.reference_code}`));

  // The short remittance: its row already holds the list's code; the difference is asked.
  const row = page.locator('table.unmatched tr', { hasText: '吉林化纤厂工会' });
  assert.ok(await row.locator('text=相差 ¥10.00').isVisible());
  await Promise.all([page.waitForNavigation(), row.locator('button:has-text("匹配")').click()]);
  assert.ok(await page.isVisible('text=相差 ¥10.00（少汇）'));
  await page.screenshot({ path: join(artifacts, 'finance-roster-difference-confirm.png'), fullPage: true });
  await submit(page, 'button:has-text("确认差额并匹配到名单")');
  assert.ok(await page.isVisible(`text=已将 ¥140.00 匹配到名单 ${list.reference_code}`));
  const progress = await api(`/api/v1/campaigns/${campaign.id}/progress`);
  assert.equal(progress.raised_fen, 20000 + 14000);
  assert.equal(progress.pledged_unpaid_fen, 0);

  const phone = await (await browser.newContext(PHONE)).newPage();
  await signIn(phone, server.base, 'finance');
  await phone.goto(`${server.base}/finance/payments?q=${list.reference_code}`);
  await phone.screenshot({ path: join(artifacts, 'finance-payments-phone.png'), fullPage: true });
  await phone.close();
  await page.close();
});

test('finance pages through and filters the payments, and issues receipts one by one', async () => {
  const campaign = await openCampaign('2026年双日捐（分页）');
  for (let i = 0; i < 23; i++) await pay(100 + i, null, `分页付款人${i}`);
  const a = await pledge(campaign, '周一', 5000);
  const b = await pledge(campaign, '吴二', 6000);
  await pay(5000, a.reference_code);
  await pay(6000, b.reference_code);

  const page = await (await browser.newContext(DESKTOP)).newPage();
  await signIn(page, server.base, 'finance');
  await page.goto(`${server.base}/finance/payments`);
  assert.ok(await page.isVisible('nav[aria-label="到账分页"] >> text=2'));
  await submit(page, 'nav[aria-label="到账分页"] >> a:has-text("2")');
  assert.match(page.url(), /page=2/);
  await page.fill('.filters input[name=amount]', '1.05');
  await submit(page, '.filters button:has-text("筛选")');
  assert.equal(await page.locator('table.payments tbody tr').count(), 1);
  assert.ok(await page.isVisible('table.payments >> text=分页付款人5'));

  await page.goto(`${server.base}/finance/receipts`);
  const row = page.locator('table.pending tr', { hasText: '¥50.00' });
  await Promise.all([page.waitForNavigation(), row.locator('button:has-text("开具")').click()]);
  assert.ok(await page.isVisible('text=已开具收据'));
  assert.ok(await page.isVisible('table.pending >> text=¥60.00'), 'the other waits for its own review');
  await page.screenshot({ path: join(artifacts, 'finance-receipts-one-by-one.png'), fullPage: true });
  await Promise.all([page.waitForNavigation(), page.locator('table.pending button:has-text("开具")').first().click()]);
  await page.fill('.filters input[name=q]', '周一');
  await submit(page, '.filters button:has-text("筛选")');
  assert.equal(await page.locator('table.issued tbody tr').count(), 1);
  assert.ok(await page.isVisible('table.issued >> text=周一'));
  await page.selectOption('.filters select[name=status]', 'voided');
  await submit(page, '.filters button:has-text("筛选")');
  assert.ok(await page.isVisible('text=没有符合条件的收据'));
  await page.close();
});

test('a coordinator is told a list was uploaded before, confirms a second list, and withdraws one', async () => {
  const campaign = await openCampaign('2026年双日捐（名单）');
  const page = await (await browser.newContext(DESKTOP)).newPage();
  await signIn(page, server.base, 'unit');
  await page.goto(`${server.base}/unit`);
  const csv = '姓名,部门,金额(元),是否匿名,备注\n张三,财务科,200,否,\n李四,工会,100,否,\n';
  await page.selectOption('select[name=campaign_id]', campaign.id);
  await page.setInputFiles('input[type=file]', { name: '十二月.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await submit(page, 'button:has-text("上传")');
  assert.ok(await page.isVisible('text=已导入 2 人'));

  await page.selectOption('select[name=campaign_id]', campaign.id);
  await page.setInputFiles('input[type=file]', { name: '十二月.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await submit(page, 'button:has-text("上传")');
  assert.ok(await page.isVisible('text=上传的“十二月.csv”相同'), 'the earlier list is named');
  await page.screenshot({ path: join(artifacts, 'unit-roster-duplicate.png'), fullPage: true });

  await page.selectOption('select[name=campaign_id]', campaign.id);
  await page.setInputFiles('input[type=file]', { name: '十二月.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.check('input[name=second_list]');
  await submit(page, 'button:has-text("上传")');
  assert.ok(await page.isVisible('text=已导入 2 人'));
  assert.equal(await page.locator('table.rosters tr.roster-awaiting_payment').count(), 2);
  const pledged = (await api(`/api/v1/campaigns/${campaign.id}/progress`)).pledged_unpaid_fen;
  assert.equal(pledged, 60000);

  const first = page.locator('table.rosters tr.roster-awaiting_payment').first();
  await first.locator('input[name=reason]').fill('重复上传');
  await Promise.all([page.waitForNavigation(), first.locator('button:has-text("撤回名单")').click()]);
  assert.ok(await page.isVisible('text=已撤回名单“十二月.csv”'));
  assert.equal(await page.locator('table.rosters tr.roster-withdrawn').count(), 1);
  assert.equal((await api(`/api/v1/campaigns/${campaign.id}/progress`)).pledged_unpaid_fen, 30000);
  await page.close();
});

test('the admin closes a campaign after being told what becomes of its pledges and lists', async () => {
  const campaign = await openCampaign('2026年双日捐（结束）');
  await pledge(campaign, '郑三', 10000);
  await uploadList(campaign, '姓名,金额(元)\n王五,300\n赵六,200\n');

  const page = await (await browser.newContext(DESKTOP)).newPage();
  await signIn(page, server.base, 'admin');
  await page.goto(`${server.base}/admin/campaigns`);
  const row = page.locator('tr', { hasText: '2026年双日捐（结束）' });
  await Promise.all([page.waitForNavigation(), row.locator('a.button:has-text("结束")').click()]);
  assert.ok(await page.isVisible('text=确认结束“2026年双日捐（结束）”？'));
  assert.ok(await page.isVisible('text=1 笔未付款的个人认捐（合计 ¥100.00）将失效'));
  assert.ok(await page.isVisible('text=1 份待汇款的单位名单（2 人，合计 ¥500.00）将关闭'));
  assert.equal((await api(`/api/v1/campaigns/${campaign.id}`)).status, 'open', 'nothing happens before the confirmation');
  await page.screenshot({ path: join(artifacts, 'admin-close-confirm.png'), fullPage: true });
  await submit(page, 'button:has-text("确认结束")');
  assert.ok(await page.isVisible('.closed-summary >> text=1 份待汇款的单位名单（2 人，合计 ¥500.00）已关闭'));
  assert.equal((await api(`/api/v1/campaigns/${campaign.id}`)).status, 'closed');

  const auditor = await (await browser.newContext(DESKTOP)).newPage();
  await signIn(auditor, server.base, 'auditor');
  await auditor.goto(`${server.base}/admin/campaigns`);
  assert.ok(await auditor.isVisible('text=2026年双日捐（名单）'), 'the auditor reads the campaigns');
  assert.equal(await auditor.locator('a:has-text("结束…"), button:has-text("开启"), button:has-text("创建")').count(), 0, 'and is offered nothing to change');
  await auditor.close();

  const phone = await (await browser.newContext(PHONE)).newPage();
  await signIn(phone, server.base, 'unit');
  await phone.goto(`${server.base}/unit`);
  assert.ok(await phone.isVisible('text=已关闭（活动已结束，未收到汇款）'));
  await phone.screenshot({ path: join(artifacts, 'unit-roster-closed-phone.png'), fullPage: true });
  await phone.close();
  await page.close();
});
