// A work-unit coordinator downloads the template, uploads a staff list with a bad row
// and sees the row named; the corrected list is imported with its remittance code.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifacts, DESKTOP, launchBrowser, signIn, startServer } from '../harness.js';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  // The admin opens a campaign through the API.
  const login = await fetch(`${server.base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'sunshine2026' }),
  }).then((r) => r.json());
  const auth = { 'content-type': 'application/json', authorization: `Bearer ${login.access_token}` };
  const campaign = await fetch(`${server.base}/api/v1/campaigns`, {
    method: 'POST', headers: auth,
    body: JSON.stringify({ name: '2026年双日捐（单位）', kind: 'double_day', starts_on: '2026-11-01', ends_on: '2026-12-31', target_fen: 100000000 }),
  }).then((r) => r.json());
  await fetch(`${server.base}/api/v1/campaigns/${campaign.id}/open`, { method: 'POST', headers: auth, body: '{}' });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a coordinator sees the bad row of a staff list named, then imports the corrected list', async () => {
  const context = await browser.newContext({ ...DESKTOP, acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page, server.base, 'unit');
  await Promise.all([page.waitForNavigation(), page.click('a:has-text("上传名单")')]);
  assert.equal(new URL(page.url()).pathname, '/unit');

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=下载模板')]);
  assert.match(download.suggestedFilename(), /\.xlsx$/);

  const bad = '姓名,部门,金额(元),是否匿名,备注\n张三,财务科,200,否,\n李四,财务科,两百,否,\n王五,工会,100,否,\n';
  await page.setInputFiles('input[type=file]', { name: '名单.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("上传")')]);
  assert.ok(await page.isVisible('text=整份名单未导入'));
  assert.ok(await page.isVisible('.bad-rows >> text=第 3 行'));
  assert.ok(await page.isVisible('.bad-rows >> text=金额(元)'));
  await page.screenshot({ path: join(artifacts, 'unit-roster-bad-row.png'), fullPage: true });

  const good = bad.replace('两百', '200');
  await page.setInputFiles('input[type=file]', { name: '名单.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("上传")')]);
  assert.ok(await page.isVisible('text=已导入 3 人'));
  assert.ok(await page.isVisible('td:has-text("待汇款")'));
  await page.screenshot({ path: join(artifacts, 'unit-roster-imported.png'), fullPage: true });
  await context.close();
});

test('a donor signs up and finds their gifts in one place', async () => {
  const context = await browser.newContext(DESKTOP);
  const page = await context.newPage();
  await page.goto(`${server.base}/signup`);
  await page.fill('input[name=username]', 'li.donor');
  await page.fill('input[name=password]', 'a long password');
  await Promise.all([page.waitForNavigation(), page.click('text=注册并登录')]);
  assert.equal(new URL(page.url()).pathname, '/my/gifts');
  assert.ok(await page.isVisible('text=还没有认捐'));
  await context.close();
});
