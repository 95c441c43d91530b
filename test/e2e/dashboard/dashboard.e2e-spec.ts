import { Logger } from '@nestjs/common';
import { RequestContext } from '@tradedesk/shared';
import { TEST_API_TOKEN, TEST_DRIVERS } from '@tradedesk/testing';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, launchChromium, screenshot, seriousAccessibilityViolations, watchForProblems } from '../../support/browser.js';
import { startTradingStack, type TradingStack } from '../../support/trading-stack.js';

// One story per driver, as a user lives it: each step needs the one before.
const STEP_MS = 20_000;

let browser: Browser;
let dashboard: Awaited<ReturnType<typeof buildDashboard>>;

beforeAll(async () => {
  [dashboard, browser] = await Promise.all([buildDashboard(), launchChromium()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await dashboard?.remove();
});

async function chooseOption(page: Page, label: string, option: string): Promise<void> {
  await page.getByRole('combobox', { name: label, exact: true }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

// Test code is type-checked without the DOM library: page code is a string or reaches the DOM through globalThis.
const colourOf = (locator: Locator): Promise<string> =>
  locator.evaluate(
    (element) => (globalThis as unknown as { getComputedStyle: (e: unknown) => { color: string } }).getComputedStyle(element).color,
  );

async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
  // axe passed badges drawn in their own colour (Mantine's light variant with a shade): their text
  // was invisible. A badge's text must not be the colour of its background.
  const invisible = await page.evaluate<string[]>(`[...document.querySelectorAll('.mantine-Badge-root')]
    .filter((b) => { const s = getComputedStyle(b); return s.color === s.backgroundColor; })
    .map((b) => b.textContent)`);
  expect(invisible).toEqual([]);
}

describe.each(TEST_DRIVERS)('dashboard in Chromium on %s', (driver) => {
  let s: TradingStack;
  let page: Page;
  let watch: ReturnType<typeof watchForProblems>;

  beforeAll(async () => {
    s = await startTradingStack(driver, { DASHBOARD_DIR: dashboard.dir });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(STEP_MS);
    watch = watchForProblems(page);
  }, 120_000);

  afterAll(async () => {
    watch?.stop();
    await page?.close();
    await s?.close();
  });

  it('signs in with the API token and shows the overview', async () => {
    await page.goto(`${s.app.url}/`);
    await expectAccessible(page);
    await page.getByLabel('API token').fill(TEST_API_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Total value' }).waitFor();
    await page.getByTestId('stream-state').getByText('Live').waitFor();
    // The page shows what the API says, in whole won with en-US grouping.
    const totals = (await s.api().get('/api/portfolio').expect(200)).body.totals as { KRW: string };
    await expect.poll(() => page.getByTestId('total-krw').textContent()).toBe(`₩${BigInt(totals.KRW).toLocaleString('en-US')}`);
    expect(await page.getByTestId('conversion').textContent()).toContain('upbit USDT/KRW last');
    await expectAccessible(page);
    expect(watch.problems).toEqual([]);
  });

  it('places a market buy from the ticket after a preview, with the fee comparison beside it', async () => {
    await page.getByRole('link', { name: 'Order ticket' }).click();
    await page.getByRole('radio', { name: 'Binance (sim)' }).check();
    await page.getByRole('textbox', { name: 'Amount (BTC)' }).fill('0.01');
    await page.getByTestId('fee-comparison').getByText('Upbit (sim)').waitFor();
    await page.getByRole('button', { name: 'Review order' }).click();
    expect(await page.getByTestId('preview').textContent()).toContain('Buy 0.01 BTC on BTC/USDT, Market order, Binance (sim)');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Send order' }).click();
    await page
      .getByTestId('order-result')
      .getByText(/Order FILLED/)
      .waitFor();
  });

  it('shows an exchange refusal in the API’s words', async () => {
    await page.getByRole('textbox', { name: 'Amount (BTC)' }).fill('0.00001');
    await page.getByRole('button', { name: 'Review order' }).click();
    const refused = await watch.expecting(async () => {
      await page.getByRole('button', { name: 'Send order' }).click();
      // 0.00001 × 50,000 = 0.5 USDT, under Binance's 5 USDT minimum: refused before it is sent.
      await page.getByTestId('api-error').getByText('ORDER.BELOW_MIN_NOTIONAL').waitFor();
    });
    expect(refused.some((problem) => problem.startsWith('HTTP 400: POST') && problem.includes('/api/orders'))).toBe(true);
    expect(refused.filter((problem) => !problem.includes('400'))).toEqual([]);
  });

  it('buys by cost on Upbit with a stop-loss and a take-profit attached, armed once the buy filled', async () => {
    await page.getByRole('radio', { name: 'Upbit (sim)' }).check();
    await page.getByText('Cost (KRW)').click();
    await page.getByRole('textbox', { name: 'Cost (KRW)' }).fill('100000');
    await page.getByRole('textbox', { name: 'Stop-loss % below (optional)' }).fill('5');
    await page.getByRole('textbox', { name: 'Take-profit % above (optional)' }).fill('5');
    await page.getByRole('button', { name: 'Review order' }).click();
    expect(await page.getByTestId('preview').textContent()).toContain('Then arm: stop −5%, target +5% from the fill');
    await page.getByRole('button', { name: 'Send order' }).click();
    await page
      .getByTestId('order-result')
      .getByText(/Exits armed/)
      .waitFor();
    const armed = await s.api().get('/api/conditions').query({ accountId: s.upbitAccountId, status: 'ARMED' }).expect(200);
    // 5 % either side of the position's average entry: 100,000 KRW at 70,000,000 plus the 0.05 % fee
    // → 70,035,000; × 0.95 = 66,533,250 and × 1.05 = 73,536,750, on Upbit's 1,000 KRW grid.
    expect(armed.body.items).toEqual([
      expect.objectContaining({
        kind: 'bracket',
        symbol: 'BTC/KRW',
        stopLoss: expect.objectContaining({ triggerPrice: '66533000' }),
        takeProfit: expect.objectContaining({ triggerPrice: '73537000' }),
      }),
    ]);
  });

  it('arms a bracket, and the chart shows both lines with the entry and the fill', async () => {
    await page.getByRole('link', { name: 'Conditions' }).click();
    await chooseOption(page, 'Account', 'Binance (sim)');
    await page.getByLabel('Stop price').fill('48000');
    await page.getByLabel('Target price').fill('55000');
    await page.getByRole('button', { name: 'Arm', exact: true }).click();
    await page.getByTestId('armed').waitFor();
    await page.locator('[data-testid=condition-row][data-kind=bracket][data-status=ARMED][data-symbol="BTC/USDT"]').waitFor();
    await expectAccessible(page);

    // The Upbit bracket from the ticket: stop to break-even in one click, pause, resume, its timeline.
    const upbit = page.locator('[data-testid=condition-row][data-symbol="BTC/KRW"]');
    // Break-even (≈ 70,105,000: the entry plus the fees) must be below the price, or the stop would fire at once.
    await s.setPrice('upbit', 'BTC/KRW', '73000000');
    const upbitLast = async () =>
      (await s.api().get('/api/tickers').query({ accountId: s.upbitAccountId, symbols: 'BTC/KRW' })).body.tickers[0].last as string;
    await expect.poll(upbitLast, { timeout: 10_000 }).toBe('73000000');
    await upbit.getByRole('button', { name: 'Break-even' }).click();
    const upbitStop = async () =>
      (await s.api().get('/api/conditions').query({ accountId: s.upbitAccountId })).body.items[0].stopLoss.triggerPrice as string;
    // Break-even is the 70,035,000 average entry plus the exit fee still to pay, so above it.
    await expect.poll(async () => Number(await upbitStop()), { timeout: 10_000 }).toBeGreaterThan(70_035_000);
    await upbit.getByRole('button', { name: 'Pause' }).click();
    await page.locator('[data-testid=condition-row][data-symbol="BTC/KRW"][data-status=PAUSED]').waitFor();
    await upbit.getByRole('button', { name: 'Resume' }).click();
    await page.locator('[data-testid=condition-row][data-symbol="BTC/KRW"][data-status=ARMED]').waitFor();
    await upbit.getByRole('button', { name: 'Timeline' }).click();
    await page.getByTestId('condition-timeline').getByText('paused → PAUSED').waitFor();

    // A resting limit buy below the market: drawn too, and it leaves the position alone.
    await s
      .api()
      .post('/api/orders')
      .send({ accountId: s.binanceAccountId, symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: '0.001', price: '40000' })
      .expect(201);
    await page.getByRole('link', { name: 'Market' }).click();
    await chooseOption(page, 'Account', 'Binance (sim)');
    await chooseOption(page, 'Market', 'BTC/USDT');
    await page.locator('[data-testid=level][data-role=stopLoss][data-price="48000"]').waitFor();
    await page.locator('[data-testid=level][data-role=takeProfit][data-price="55000"]').waitFor();
    await page.locator('[data-testid=level][data-role=entry]').waitFor();
    await page.locator('[data-testid=level][data-role=limitBuy][data-price="40000"]').waitFor();
    expect(await page.getByTestId('chart').locator('canvas').count()).toBeGreaterThan(0);
    await screenshot(page, `${driver}-market`);
    await expectAccessible(page);
  });

  it('closes the position when the price falls through the stop: the alert appears and the row goes, without a reload', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    const row = page.locator('[data-testid=position-row][data-symbol="BTC/USDT"]');
    await row.locator('[data-protection=emulated]').waitFor();
    await page.evaluate('window.sameDocument = true');

    await s.setPrice('binance', 'BTC/USDT', '47000');
    await page.locator('[data-testid=alert][data-type="condition.fired"]').first().waitFor();
    await row.waitFor({ state: 'detached' }).catch(async (error: unknown) => {
      throw new Error(`${String(error)}\npositions: ${JSON.stringify((await s.api().get('/api/positions')).body)}`);
    });
    expect(await page.evaluate('window.sameDocument')).toBe(true);
    await screenshot(page, `${driver}-overview-after-stop`);
  });

  it('previews a template with its warnings, executes it once and shows the execution arming its exits', async () => {
    const create = async (name: string, cost: string) =>
      (
        await s
          .api()
          .post('/api/templates')
          .send({
            name,
            accountId: s.binanceAccountId,
            symbol: 'BTC/USDT',
            side: 'buy',
            entry: { type: 'market' },
            size: { cost },
            exits: { stopLoss: { triggerPercent: '2' }, takeProfit: { triggerPercent: '4' } },
          })
          .expect(201)
      ).body as { id: string };
    const tooSmall = await create('Too small', '1');
    const dip = await create('BTC dip buy', '100');
    await page.getByRole('link', { name: 'Templates' }).click();
    await page.locator('[data-testid=template-row][data-name="BTC dip buy"]').waitFor();
    await expectAccessible(page);

    // 1 USDT is under Binance's 5 USDT minimum: the preview says so, and execute is not offered.
    await page.getByRole('button', { name: 'Preview Too small' }).click();
    await page.getByTestId('preview-warning').getByText('ORDER.BELOW_MIN_NOTIONAL').waitFor();
    expect(await page.getByRole('button', { name: 'Execute' }).isDisabled()).toBe(true);

    // 100 USDT at 47,000 (where the stop left the price): the stop 2 % and the target 4 % from that fill.
    await page.getByRole('button', { name: 'Preview BTC dip buy' }).click();
    await page.getByTestId('template-preview').getByRole('heading', { name: 'Preview: BTC dip buy' }).waitFor();
    const exits = page.getByTestId('preview-exits');
    await exits.getByText(/Stop-loss.*46,060/).waitFor();
    await exits.getByText(/Take-profit.*48,880/).waitFor();
    expect(await page.getByTestId('preview-warning').count()).toBe(0);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Execute' }).click();
    await page.getByTestId('execution-started').waitFor();
    await page.locator(`[data-testid=execution-row][data-template="${dip.id}"][data-status=exits_armed]`).waitFor();

    const runs = await s.api().get('/api/templates/executions').query({ templateId: dip.id }).expect(200);
    expect(runs.body.items).toEqual([expect.objectContaining({ status: 'exits_armed', symbol: 'BTC/USDT' })]);
    const refused = await s.api().get('/api/templates/executions').query({ templateId: tooSmall.id }).expect(200);
    expect(refused.body.items).toEqual([]);
    await screenshot(page, `${driver}-templates`);
  });

  it('shows key metrics, an error group, the logs of its request and a searched log, and a backup it starts ending verified', async () => {
    const requestId = `req-dashboard-${driver}`;
    RequestContext.run(requestId, () => new Logger('DashboardStory').error('reconcile of order 4711 failed: exchange said 503'));
    // Written to the log file before the page asks for it (the search reads files, it does not follow them).
    const logged = async () => ((await s.api().get('/api/logs').query({ requestId }).expect(200)).body.items as unknown[]).length;
    await expect.poll(logged, { timeout: 10_000 }).toBeGreaterThan(0);
    await page.getByRole('link', { name: 'System' }).click();
    await page.getByRole('heading', { name: 'Health' }).waitFor();

    // The figures are GET /metrics': three orders filled so far (the ticket's two buys and the stop's sell) and more.
    const figure = (key: string) => page.locator(`[data-testid=metric][data-metric=${key}] p`).last();
    await expect.poll(async () => Number(await figure('ordersFilled').textContent())).toBeGreaterThanOrEqual(3);
    await expect.poll(async () => Number(await figure('errorsLogged').textContent())).toBeGreaterThanOrEqual(1);

    const group = page.locator('[data-testid=error-group][data-context=DashboardStory]');
    await group.getByText('reconcile of order <n> failed: exchange said <n>').waitFor();
    await group.getByRole('button', { name: 'Its logs' }).click();
    expect(await page.getByRole('textbox', { name: 'Request id' }).inputValue()).toBe(requestId);
    await page.getByTestId('log-line').getByText('reconcile of order 4711 failed').waitFor();

    // A search by words and level: only error lines, all of them about the reconcile.
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('textbox', { name: 'Text', exact: true }).fill('RECONCILE of order');
    await chooseOption(page, 'Level', 'error');
    await page.getByRole('button', { name: 'Search' }).click();
    const lines = page.getByTestId('log-line');
    await lines.first().getByText('reconcile of order 4711 failed').waitFor();
    expect(await lines.count()).toBe(1);
    expect(await lines.first().getAttribute('data-level')).toBe('error');
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Back up now' }).click();
    const verified = page.locator('[data-testid=backup-row][data-status=verified]');
    await verified.waitFor({ timeout: 60_000 });
    const id = await verified.getAttribute('data-id');
    const backup = await s.api().get(`/api/backups/${id}`).expect(200);
    expect(backup.body).toMatchObject({ status: 'verified', trigger: 'api', driver });
    expect(backup.body.verification).toMatchObject({ restore: 'ok' });
    await screenshot(page, `${driver}-system`);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Overview' }).click();
  }, 90_000);

  it('speaks Korean with Korean number and time formats, and follows the colour setting', async () => {
    await chooseOption(page, 'Language', '한국어');
    await page.getByRole('heading', { name: '총 평가액' }).waitFor();
    // KRW whole, ko-KR grouping; USDT with cents.
    expect(await page.getByTestId('total-krw').textContent()).toMatch(/^₩\d{1,3}(,\d{3})+$/);
    expect(await page.getByTestId('total-usdt').textContent()).toMatch(/^\d{1,3}(,\d{3})*\.\d{2} USDT$/);
    // Asia/Seoul by default, in the Korean date order.
    expect(await page.getByTestId('alert').first().locator('p').last().textContent()).toMatch(
      /\d{4}\. \d{2}\. \d{2}\. \d{2}:\d{2}:\d{2} GMT\+9/,
    );
    // Sold at 47,000 below the ~50,000 entry: a loss today, blue in the Korean convention…
    const loss = page.getByTestId('pnl').getByText(/^-\d/).first();
    await loss.waitFor();
    expect(await colourOf(loss)).toBe('rgb(24, 100, 171)');
    // …and red once rises are green.
    await page.getByText('상승 초록').click();
    await expect.poll(() => colourOf(loss)).toBe('rgb(201, 42, 42)');
    await screenshot(page, `${driver}-overview-ko`);
    await expectAccessible(page);
  });

  it('fits a phone’s width: no sideways scrolling, navigation behind the menu button', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('heading', { name: '총 평가액' }).waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.getByRole('button', { name: '메뉴' }).click();
    await page.getByRole('link', { name: '조건 주문' }).click();
    await page.getByRole('heading', { name: '조건 주문 설정' }).waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(page, `${driver}-phone-conditions`);
    await expectAccessible(page);
    await page.getByRole('button', { name: '메뉴' }).click();
    await page.getByRole('link', { name: '시스템' }).click();
    await page.getByRole('heading', { name: '상태' }).waitFor();
    await page.getByText('database').waitFor();
    await page.getByRole('heading', { name: '백업' }).waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(page, `${driver}-phone-system`);
    await expectAccessible(page);
    await page.getByRole('button', { name: '메뉴' }).click();
    await page.getByRole('link', { name: '템플릿' }).click();
    await page.getByRole('heading', { name: '최근 실행' }).waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await expectAccessible(page);
  });

  it('had no console error and no failed request in the whole story', () => {
    expect(watch.problems).toEqual([]);
  });
});
