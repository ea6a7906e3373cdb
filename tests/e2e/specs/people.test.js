// The pages people give and find their way with: where to pay after a pledge, forms that
// keep what was typed, a 403 page (not a loop) for another role's page, menus that lead to
// real pages, an office's pledges let through, and no console errors on any of them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  artifacts, consoleErrors, DESKTOP, launchBrowser, PHONE, signIn, startServer,
} from '../harness.js';

let server;
let browser;

before(async () => {
  // A small bucket, so that the refusal of a flood can be seen in a test.
  server = await startServer({ SUNSHINE_PLEDGES_PER_MINUTE: '1', SUNSHINE_PLEDGE_BURST: '4' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A 4xx page is expected where the test asks for it; Chromium logs its load as an error. */
function unexpected(errors) {
  return errors.filter((e) => !/Failed to load resource: the server responded with a status of (403|422|429)/.test(e));
}

async function fits(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

async function shoot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

test('a pledge with a mistake keeps what was typed, then shows where to pay', async () => {
  for (const [size, options] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    const errors = consoleErrors(page);
    await page.goto(server.base);
    await Promise.all([page.waitForNavigation(), page.click('a:has-text("我要认捐")')]);
    assert.ok(await page.isVisible('text=万元'), 'the target in 万元');
    assert.ok(await page.isVisible('text=/已达成 [0-9.]+%/'), 'the share reached');
    await page.fill('#amount', '２００');
    await page.fill('input[name=name]', '王丽华');
    await page.fill('input[name=phone]', '1390432');
    await page.check('input[name=receipt_requested]');
    await page.fill('input[name=receipt_title]', '王丽华');
    await page.selectOption('select[name=region_code]', '220204');
    await Promise.all([page.waitForNavigation(), page.click('text=提交认捐')]);
    // Back with everything typed and the error beside the phone number.
    assert.equal(await page.inputValue('#amount'), '２００');
    assert.equal(await page.inputValue('input[name=name]'), '王丽华');
    assert.equal(await page.inputValue('input[name=phone]'), '1390432');
    assert.equal(await page.inputValue('select[name=region_code]'), '220204');
    assert.ok(await page.isChecked('input[name=receipt_requested]'));
    assert.equal(await page.getAttribute('input[name=phone]', 'aria-invalid'), 'true');
    assert.ok(await page.isVisible('#phone-error'));
    assert.ok(await fits(page), `the form fits the ${size}`);
    await page.locator('#phone-error').scrollIntoViewIfNeeded();
    await shoot(page, `people-pledge-error-${size}`);
    // Fixed, the pledge is made in full-width digits and the page says where to pay.
    await page.fill('input[name=phone]', '13904321234');
    await Promise.all([page.waitForNavigation(), page.click('text=提交认捐')]);
    assert.match(new URL(page.url()).pathname, /^\/p\//);
    assert.ok(await page.isVisible('text=¥200.00'));
    const code = (await page.textContent('.code')).trim();
    const how = page.locator('#pay-how');
    assert.ok(await how.isVisible(), 'where to pay');
    const text = await how.textContent();
    for (const shown of ['吉林市慈善总会', '中国工商银行吉林市分行营业部', '0802 0200 0902 4567 891', code]) {
      assert.ok(text.includes(shown), `shows ${shown}`);
    }
    assert.ok(await fits(page), `the pledge page fits the ${size}`);
    await shoot(page, `people-pledge-pay-${size}`);
    assert.deepEqual(unexpected(errors), [], 'no console errors');
    await context.close();
  }
});

test('a signed-in person opening another role\'s page sees the 403 page, not a loop', async () => {
  const context = await browser.newContext(DESKTOP);
  const page = await context.newPage();
  const errors = consoleErrors(page);
  await signIn(page, server.base, 'admin');
  for (const path of ['/unit', '/my/gifts']) {
    const response = await page.goto(`${server.base}${path}`);
    assert.equal(response.status(), 403, path);
    assert.equal(new URL(page.url()).pathname, path, 'no redirect');
    assert.ok(await page.isVisible('text=无权操作'));
  }
  await shoot(page, 'people-403-desktop');
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});

test('the auditor\'s menu leads to what auditors read, without buttons', async () => {
  for (const [size, options] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    const errors = consoleErrors(page);
    await signIn(page, server.base, 'auditor');
    assert.ok(await page.isVisible('.who .name:has-text("示例审计")'), 'the display name');
    const menu = await page.$$eval('nav.nav a', (links) => links.map((a) => a.getAttribute('href')));
    for (const href of ['/finance/payments', '/finance/receipts', '/admin/campaigns', '/audit']) {
      assert.ok(menu.includes(href), `menu leads to ${href}`);
    }
    await shoot(page, `people-auditor-home-${size}`);
    for (const href of ['/finance/payments', '/finance/receipts', '/admin/campaigns', '/audit']) {
      const response = await page.goto(`${server.base}${href}`);
      assert.equal(response.status(), 200, href);
      const buttons = await page.$$eval('main button, main input[type=submit]', (b) => b.map((x) => x.textContent.trim()));
      const allowed = ['查找', '筛选'];
      assert.deepEqual(buttons.filter((b) => !allowed.includes(b)), [], `${href} has no buttons to change things`);
      assert.ok(await fits(page), `${href} fits the ${size}`);
    }
    await page.goto(`${server.base}/audit`);
    assert.ok(await page.isVisible('text=payment_settings.update'));
    await shoot(page, `people-audit-${size}`);
    assert.deepEqual(unexpected(errors), []);
    await context.close();
  }
});

test('home pages show no panel for anything not built', async () => {
  const context = await browser.newContext(PHONE);
  for (const role of ['store', 'caseworker', 'donor', 'unit', 'finance', 'admin']) {
    const page = await context.newPage();
    const errors = consoleErrors(page);
    await signIn(page, server.base, role);
    assert.equal(await page.locator('text=暂无内容').count(), 0, `${role}: no empty panel`);
    const hrefs = await page.$$eval('nav.nav a, .panel a', (links) => links.map((a) => a.getAttribute('href')));
    for (const href of hrefs) {
      const response = await page.request.get(`${server.base}${href}`);
      assert.equal(response.status(), 200, `${role}: ${href}`);
    }
    if (role === 'store') await shoot(page, 'people-store-home-phone');
    assert.deepEqual(unexpected(errors), []);
    await page.close();
    await context.clearCookies();
  }
  await context.close();
});

test('the unit page and the admin\'s settings say where to pay', async () => {
  for (const [size, options] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    const errors = consoleErrors(page);
    await signIn(page, server.base, 'unit');
    await page.goto(`${server.base}/unit`);
    assert.ok(await page.isVisible('text=如何汇款'));
    assert.ok((await page.textContent('#pay-how')).includes('0802 0200 0902 4567 891'));
    assert.ok(await fits(page), `the unit page fits the ${size}`);
    await shoot(page, `people-unit-${size}`);
    await context.clearCookies();
    await signIn(page, server.base, 'admin');
    await page.goto(`${server.base}/admin/payment-settings`);
    await page.fill('input[name=account_number]', '0802 0200 0902 4567 89X');
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("保存")')]);
    assert.ok(await page.isVisible('#account_number-error'));
    assert.equal(await page.inputValue('input[name=account_number]'), '0802 0200 0902 4567 89X');
    await shoot(page, `people-settings-error-${size}`);
    await page.fill('input[name=account_number]', '0802020009024567891');
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("保存")')]);
    assert.ok(await page.isVisible('text=已保存'));
    assert.ok(await fits(page), `the settings page fits the ${size}`);
    await shoot(page, `people-settings-${size}`);
    assert.deepEqual(unexpected(errors), []);
    await context.close();
  }
});

test('sign-up and the new-campaign form keep what was typed', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const errors = consoleErrors(page);
  await page.goto(`${server.base}/signup`);
  await page.fill('input[name=username]', 'li.hua');
  await page.fill('input[name=display_name]', '李华');
  await page.fill('input[name=password]', 'short');
  await Promise.all([page.waitForNavigation(), page.click('text=注册并登录')]);
  assert.equal(await page.inputValue('input[name=username]'), 'li.hua');
  assert.equal(await page.inputValue('input[name=display_name]'), '李华');
  assert.ok(await page.isVisible('#password-error'));
  await shoot(page, 'people-signup-error-phone');
  await signIn(page, server.base, 'admin');
  await page.goto(`${server.base}/admin/campaigns`);
  await page.fill('input[name=name]', '2027年应急募捐');
  await page.selectOption('select[name=kind]', 'emergency');
  await page.fill('input[name=starts_on]', '2027-03-01');
  await page.fill('input[name=ends_on]', '2027-02-01');
  await page.fill('input[name=target_yuan]', '５０００００');
  await Promise.all([page.waitForNavigation(), page.click('text=创建（草稿）')]);
  assert.equal(await page.inputValue('input[name=name]'), '2027年应急募捐');
  assert.equal(await page.inputValue('select[name=kind]'), 'emergency');
  assert.equal(await page.inputValue('input[name=target_yuan]'), '５０００００');
  assert.ok(await page.isVisible('#ends_on-error'));
  await page.locator('#ends_on-error').scrollIntoViewIfNeeded();
  await shoot(page, 'people-new-campaign-error-phone');
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});

test('a pledge refused as a flood keeps the form and says how many seconds to wait', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const errors = consoleErrors(page);
  await page.goto(server.base);
  const campaign = await page.getAttribute('a:has-text("我要认捐")', 'href');
  // The bucket holds 4 and the first test took 1: pledge until refused.
  let refused = false;
  for (let i = 0; i < 6 && !refused; i++) {
    await page.goto(`${server.base}${campaign}`);
    await page.fill('#amount', '50');
    await page.fill('input[name=name]', '赵六');
    await page.fill('input[name=phone]', '13800001234');
    const [response] = await Promise.all([page.waitForNavigation(), page.click('text=提交认捐')]);
    refused = response.status() === 429;
  }
  assert.ok(refused, 'the flood is stopped');
  assert.ok(await page.isVisible('text=/请 [0-9]+ 秒后再点/'));
  assert.equal(await page.inputValue('#amount'), '50');
  assert.equal(await page.inputValue('input[name=name]'), '赵六');
  await shoot(page, 'people-pledge-refused-phone');
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});
