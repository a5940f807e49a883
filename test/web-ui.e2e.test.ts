/**
 * The dashboard end to end, in real headless Chromium: the built page served by the real
 * web server, a real orchestrator talking to the fake Anthropic server over HTTP, a real
 * store in a temp HOB_HOME. Each test drives the page as a user would (links, buttons,
 * the keyboard) and checks what the server and the disk then hold.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "./helpers.js";
import { pendingRoutingProposal } from "./proposal-helper.js";
import { anthropic, closeWeb, env, home, openWeb, orchestrator, server, store, token, tool } from "./web-fixture.js";
import { buildUi, launchChromium, SCREENSHOTS } from "./web-ui-helpers.js";

const HOSTILE =
  '<script>window.__pwned=1</script><img src="http://127.0.0.2:9/x.png" onerror="window.__pwned=1"> and more';

let uiDir: string;
let base: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Every URL the page asked for (the hostile-output test checks none left for another host). */
const requested: string[] = [];
const pageErrors: string[] = [];

async function newLoggedInPage(
  options: Parameters<Browser["newContext"]>[0] = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  ctx.on("request", (request) => requested.push(request.url()));
  const p = await ctx.newPage();
  p.on("pageerror", (error) => pageErrors.push(String(error)));
  await p.goto(`${base}#token=${token}`);
  await p.waitForSelector("[data-testid=totals]");
  return { context: ctx, page: p };
}

/** Opens a page of the dashboard; the same address again reloads it (a same-hash goto does nothing). */
async function visit(hash: string, on: Page = page): Promise<void> {
  const target = `${base}${hash}`;
  if (on.url() === target) await on.reload();
  else await on.goto(target);
}

const text = (selector: string, on: Page = page) => on.locator(selector).first().innerText();

beforeAll(async () => {
  uiDir = mkdtempSync(join(tmpdir(), "hob-ui-"));
  buildUi(uiDir);
  await openWeb({ todo: "call mum\nbuy milk\nwater the plants\n", port: 0, uiDir });
  mkdirSync(join(home, "skills", "broken"), { recursive: true });
  writeFileSync(join(home, "skills", "broken", "SKILL.md"), "no front matter\n");
  ({ url: base } = await server.listen());
  base = base.replace(/\/$/, "/");
  // Some history for the overview's numbers.
  anthropic.setDefault(() => ({ kind: "text", text: "ok", usage: { input_tokens: 1200, output_tokens: 300 } }));
  for (const input of ["summarise my notes", "what is 2+2", "plan the week"]) {
    await orchestrator.run({ input, agent: "general", tier: "fast" });
  }
  browser = await launchChromium();
  ({ context, page } = await newLoggedInPage());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await closeWeb({ model: true });
  if (uiDir) rmSync(uiDir, { recursive: true, force: true });
});

describe("web dashboard in Chromium", () => {
  it("logs in through the #token= link: HttpOnly cookie, token gone from the URL, overview with stats", async () => {
    expect(page.url()).not.toContain(token);
    expect(page.url()).toBe(`${base}#/`);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === "hob_session");
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Strict" });
    expect(await page.evaluate("JSON.stringify(localStorage) + JSON.stringify(sessionStorage)")).not.toContain(token);
    const totals = await text("[data-testid=totals]");
    expect(totals).toMatch(/Tasks\s+3/);
    expect(totals).toContain("Success rate");
    // The charts render as SVG (or say plainly that the series route is missing).
    await page.waitForSelector("[data-testid=charts] svg, main p:has-text('no time series')");
    expect(await page.title()).toBe("hob");

    // A stranger without the cookie gets the log-in screen, and the paste box logs in.
    const stranger = await browser.newContext();
    const other = await stranger.newPage();
    await other.goto(base);
    await other.waitForSelector("[data-testid=login]");
    expect(await other.innerText("[data-testid=login]")).toContain("hob serve token");
    await other.fill("#token-input", "wrong");
    await other.click("[data-testid=login] button[type=submit]");
    await other.waitForSelector("[data-testid=login] [role=alert]");
    await other.fill("#token-input", token);
    await other.click("[data-testid=login] button[type=submit]");
    await other.waitForSelector("[data-testid=totals]");
    await stranger.close();
  });

  it("runs a task from the box and streams its text and steps as they happen", async () => {
    const answer = "Your todo list has three items: call mum, buy milk and water the plants.";
    anthropic.enqueue(tool("read_file", { path: "todo.txt" }), {
      kind: "text",
      text: answer,
      chunks: 8,
      chunkDelayMs: 60,
    });
    await visit(`#/`);
    await page.waitForSelector("#run-input");
    // Record every text the live output shows, to see it grow rather than appear at once.
    await page.evaluate(`(() => {
      window.__seen = [];
      new MutationObserver(() => {
        const out = document.querySelector('[data-testid=live-output]');
        if (out && window.__seen.at(-1) !== out.textContent) window.__seen.push(out.textContent);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    })()`);
    await page.fill("#run-input", "what is on my todo list?");
    await page.fill("#run-agent", "code");
    await page.fill("#run-tier", "fast");
    await page.click("#run-submit");
    await page.waitForSelector("[data-testid=live-status] [data-status=succeeded]");
    expect(await text("[data-testid=live-output]")).toBe(answer);
    const seen = (await page.evaluate("window.__seen")) as string[];
    const partial = seen.filter((s) => s.length > 0 && s !== answer && answer.startsWith(s));
    expect(partial.length).toBeGreaterThanOrEqual(3);
    const steps = await text("[data-testid=live-steps]");
    expect(steps).toContain("read_file");
    expect(steps).toContain("success");
    // The new task is in the list, and its detail has the step and the model calls.
    await page.click("[data-testid=run-box] a[href^='#/tasks/']");
    await page.waitForSelector("[data-testid=steps]");
    expect(await text("[data-testid=steps]")).toContain("read_file");
    expect(await text("[data-testid=model-calls]")).toContain("claude");
    expect(await text("[data-testid=task-output]")).toBe(answer);
  });

  it("pauses a file write for approval: the inbox shows the diff side by side and the badge; Approve writes the file", async () => {
    anthropic.enqueue(
      tool("write_file", { path: "todo.txt", content: "call mum\ncall dad\nbuy milk\nwater the plants\n" }),
    );
    await visit(`#/tasks`);
    await page.fill("#run-input", "add dad to my todo");
    await page.fill("#run-agent", "code");
    await page.fill("#run-tier", "fast");
    await page.click("#run-submit");
    await page.waitForSelector("[data-testid=live-status] [data-status=awaiting_approval]");
    const taskId = await page.getAttribute("[data-testid=run-box] [data-task]", "data-task");
    await until("the title to count one approval", async () => (await page.title()) === "(1) hob");
    expect(await text("#approval-badge")).toBe("1");

    await page.click("nav a[href='#/approvals']");
    const card = page.locator("[data-approval]").first();
    await card.waitFor();
    expect(await card.innerText()).toContain("write_file");
    const table = card.locator("[data-testid=diff-side-by-side]");
    expect(await table.isVisible()).toBe(true);
    expect(await table.locator("td[data-kind=add]").allInnerTexts()).toEqual(["+call dad"]);
    // Line numbers on both sides: the unchanged "buy milk" is line 2 before and 3 after.
    const milkRow = table.locator("tr", { hasText: "buy milk" });
    expect((await milkRow.locator("td").allInnerTexts()).map((t) => t.trim())).toEqual([
      "2",
      "buy milk",
      "3",
      "buy milk",
    ]);
    await page.screenshot({ path: join(SCREENSHOTS, "approvals-tool-laptop-light.png"), fullPage: true });

    anthropic.enqueue({ kind: "text", text: "Added dad." });
    await card.locator("button[data-action=approve]").click();
    await until("the file to change", () =>
      readFileSync(join(home, "workspace", "todo.txt"), "utf8").includes("call dad"),
    );
    await until("the task to finish", () => store.tasks.get(taskId as string).status === "succeeded");
    await until("the title to count none", async () => (await page.title()) === "hob");
    expect(await page.locator("#approval-badge").isHidden()).toBe(true);
    await page.waitForSelector("[data-testid=approvals] >> text=Nothing waits for you.");
  });

  it("rejects a pending proposal from the inbox, and rolls back an applied one from the history", async () => {
    const applied = await pendingRoutingProposal(store, env, {
      key: "ui-a",
      complexity: "complex",
      agent: "general",
      tier: "local",
    });
    const rejected = await pendingRoutingProposal(store, env, {
      key: "ui-b",
      complexity: "simple",
      agent: "code",
      tier: "local",
    });
    // One is approved through the API (as another client would), so it is applied.
    const approvals = await server.app.inject({
      method: "GET",
      url: "/api/approvals",
      headers: { host: new URL(base).host, authorization: `Bearer ${token}` },
    });
    const toApprove = (approvals.json().items as Array<{ id: string; hash: string; proposal_id?: string }>).find(
      (a) => a.proposal_id === applied,
    );
    const ok = await server.app.inject({
      method: "POST",
      url: `/api/approvals/${toApprove?.id}`,
      headers: { host: new URL(base).host, authorization: `Bearer ${token}` },
      payload: { decision: "approve", hash: toApprove?.hash },
    });
    expect(ok.statusCode).toBe(200);
    expect(store.proposals.get(applied).status).toBe("applied");

    await visit(`#/approvals`);
    const card = page.locator("[data-approval]").first();
    await card.locator("[data-testid=proposal-detail]").waitFor();
    const shown = await card.innerText();
    expect(shown).toContain("Rationale");
    expect(shown).toContain("Validation");
    expect(await card.locator("[data-testid=diff]").count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, "approvals-proposal-laptop-light.png"), fullPage: true });
    await card.locator("button[data-action=deny]").click();
    await until("the proposal to be rejected", () => store.proposals.get(rejected).status === "rejected");
    await card.getByText("Rejected.").waitFor();

    await page.click("nav a[href='#/proposals']");
    const row = page.locator(`[data-proposal="${applied}"]`);
    await row.waitFor();
    expect(await text(`[data-proposal="${rejected}"] [data-testid=proposal-status]`)).toBe("rejected");
    const dialogs: string[] = [];
    page.once("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await row.locator("button[data-action=rollback]").click();
    await until("the rollback", () => store.proposals.get(applied).status === "rolled_back");
    expect(dialogs[0]).toMatch(/^Roll back/);
    await page.locator(`[data-proposal="${applied}"] [data-status=rolled_back]`).waitFor();
    expect(await page.locator(`[data-proposal="${applied}"] button[data-action=rollback]`).count()).toBe(0);
  });

  it("shows hostile task input and model output as literal text: nothing runs, nothing loads from elsewhere", async () => {
    anthropic.enqueue({ kind: "text", text: `Here: ${HOSTILE}`, chunks: 4 });
    requested.length = 0;
    await visit(`#/`);
    await page.fill("#run-input", HOSTILE);
    await page.fill("#run-agent", "general");
    await page.fill("#run-tier", "fast");
    await page.click("#run-submit");
    await page.waitForSelector("[data-testid=live-status] [data-status=succeeded]");
    expect(await text("[data-testid=live-output]")).toBe(`Here: ${HOSTILE}`);
    const taskId = await page.getAttribute("[data-testid=run-box] [data-task]", "data-task");
    await visit(`#/tasks/${taskId}`);
    await page.waitForSelector("[data-testid=task-output]");
    expect(await text("[data-testid=task-input]")).toBe(HOSTILE);
    expect(await text("[data-testid=task-output]")).toBe(`Here: ${HOSTILE}`);
    await visit(`#/tasks`);
    await page.waitForSelector(`tr[data-task="${taskId}"]`);
    expect(await text(`tr[data-task="${taskId}"]`)).toContain("<script>window.__pwned=1</script>");
    await page.waitForTimeout(200); // an injected image would have been requested by now
    expect(await page.evaluate("typeof window.__pwned")).toBe("undefined");
    expect(await page.locator("main img, main script").count()).toBe(0);
    const origin = new URL(base).origin;
    expect(requested.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it("is usable by keyboard (skip link, nav, run box, focus rings) and the dark-mode toggle sets the dark class", async () => {
    await visit(`#/`);
    await page.reload(); // focus starts at the top of a fresh document
    await page.waitForSelector("#run-input");
    const reached: string[] = [];
    let navOutline = "";
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press("Tab");
      const where = (await page.evaluate(`(() => {
        const el = document.activeElement;
        if (!el) return "";
        return el.id || (el.matches("a[data-nav]") ? "nav:" + el.getAttribute("href") : el.tagName);
      })()`)) as string;
      reached.push(where);
      if (where === "nav:#/tasks")
        navOutline = (await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")) as string;
      if (where === "run-input") break;
    }
    expect(reached[0]).toBe("skip-link");
    expect(reached).toContain("nav:#/approvals");
    expect(reached).toContain("theme-button");
    expect(reached.at(-1)).toBe("run-input");
    expect(navOutline).not.toBe("none");
    // The skip link moves focus to the content without touching the route.
    await page.keyboard.press("Shift+Tab");
    await page.evaluate("document.getElementById('skip-link').focus()");
    await page.keyboard.press("Enter");
    expect(await page.evaluate("document.activeElement.id")).toBe("main");
    expect(page.url()).toBe(`${base}#/`);

    const isDark = () => page.evaluate("document.documentElement.classList.contains('dark')") as Promise<boolean>;
    const before = await isDark();
    await page.focus("#theme-button");
    await page.keyboard.press("Enter");
    expect(await isDark()).toBe(!before);
    expect(await page.getAttribute("#theme-button", "aria-pressed")).toBe(String(!before));
    await page.reload();
    await page.waitForSelector("[data-testid=totals]");
    expect(await isDark()).toBe(!before); // the choice is remembered
    await page.click("#theme-button");
    expect(await isDark()).toBe(before);
  });

  it("chats: a new chat, a message with a streamed reply, and the turns kept for the next visit", async () => {
    await visit(`#/chat`);
    await page.click("#new-chat");
    await page.waitForURL(/#\/chat\/[A-Za-z0-9_-]+$/);
    anthropic.enqueue({ kind: "text", text: "Hello! How can I help today?", chunks: 4, chunkDelayMs: 40 });
    await page.fill("#chat-input", "hello hob");
    await page.click("#chat-send");
    await page.waitForSelector("[data-testid=chat-turns] [data-testid=live-output]:has-text('How can I help today?')");
    await page.waitForSelector("[data-testid=chat-turns] [data-status=succeeded]");
    anthropic.enqueue({ kind: "text", text: "You said hello.", chunks: 2 });
    await page.fill("#chat-input", "what did I say?");
    await page.click("#chat-send");
    await page.waitForSelector("[data-testid=chat-turns] [data-testid=live-output]:has-text('You said hello.')");
    // The second request carried the first turn as context.
    const last = JSON.stringify(anthropic.messageRequests.at(-1)?.body);
    expect(last).toContain("hello hob");
    expect(last).toContain("How can I help today?");
    await page.reload();
    await page.waitForSelector("[data-testid=chat-turns] [data-role=hob]");
    const turns = await text("[data-testid=chat-turns]");
    expect(turns).toContain("hello hob");
    expect(turns).toContain("You said hello.");
    expect(await page.locator("[data-testid=chat-sessions] li").count()).toBeGreaterThanOrEqual(1);
  });

  it("lists tasks a page at a time (Load more follows the cursor) and filters them by status", async () => {
    anthropic.setDefault(() => ({ kind: "text", text: "ok" }));
    for (let i = 0; i < 20; i++) await orchestrator.run({ input: `filler ${i}`, agent: "general", tier: "fast" });
    anthropic.enqueue(tool("delete_file", { path: "todo.txt" }));
    expect((await orchestrator.run({ input: "delete my todo", agent: "code", tier: "fast" })).status).toBe(
      "awaiting_approval",
    );
    const total = store.tasks.list({ limit: 200 }).length;
    expect(total).toBeGreaterThan(25);
    await visit("#/tasks");
    const rows = page.locator("[data-testid=task-table] tbody tr");
    await until("the first page", async () => (await rows.count()) === 25);
    expect(await page.locator("#load-more").isVisible()).toBe(true);
    await page.click("#load-more");
    await until("the second page", async () => (await rows.count()) === total);
    expect(await page.locator("#load-more").isHidden()).toBe(true);
    await page.selectOption("#status-filter", "awaiting_approval");
    await page.waitForURL(/status=awaiting_approval$/);
    await until("the filtered list", async () => (await rows.count()) > 0 && (await rows.count()) < 25);
    const statuses = await page
      .locator("[data-testid=task-table] tbody [data-status]")
      .evaluateAll((els) => els.map((el) => el.getAttribute("data-status")));
    expect(new Set(statuses)).toEqual(new Set(["awaiting_approval"]));
  });

  it("memory: remembers a fact from the page, finds it with its signals, and forgets it (from every store)", async () => {
    const fact = "The spare house key is under the blue flowerpot by the shed.";
    await visit("#/memory");
    await page.waitForSelector("[data-testid=memory-empty]");
    expect(await page.getAttribute("nav a[href='#/memory']", "aria-current")).toBe("page");
    await page.fill("#memory-text", fact);
    await page.click("#memory-remember");
    await page.waitForSelector("[data-testid=remembered]");
    expect(await page.inputValue("#memory-text")).toBe("");

    // The keyboard searches: Enter in the box; the query goes into the address.
    await page.focus("#memory-q");
    await page.keyboard.type("spare key flowerpot");
    await page.keyboard.press("Enter");
    const row = page.locator("[data-memory]", { hasText: "blue flowerpot" });
    await row.waitFor();
    expect(page.url()).toContain("#/memory?q=spare+key+flowerpot");
    const id = (await row.getAttribute("data-memory")) as string;
    expect(await row.getAttribute("data-kind")).toBe("fact");
    expect(await row.locator("[data-testid=memory-text]").textContent()).toBe(fact);
    // Why it was recalled: each signal, by name.
    const signal = (name: string) => row.locator(`[data-signal=${name}]`).textContent();
    expect(await signal("fts")).toMatch(/^#\d+$/);
    expect(await signal("recency")).toMatch(/^(0|1)\.\d\d$/);
    expect(await signal("outcome")).toBe("×1.00");
    expect(await signal("vector")).toMatch(/^(#\d+|not found)$/);
    expect(await signal("cosine")).toMatch(/^(–|-?\d\.\d\d)$/);
    expect(await row.locator("[data-testid=score]").textContent()).toMatch(/^score \d\.\d{3}$/);
    expect(await page.getAttribute("[data-testid=memory-mode]", "data-mode")).toMatch(/^(hybrid|full-text)$/);
    expect(await text("[data-testid=signals]")).toContain("Text rank");

    // Forget asks first: dismissed, nothing happens; accepted, the row goes.
    const dialogs: string[] = [];
    page.once("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await row.locator("button[data-action=forget]").click();
    expect(dialogs[0]).toMatch(/^Forget this memory\?/);
    expect(await row.count()).toBe(1);
    page.once("dialog", (dialog) => void dialog.accept());
    await row.locator("button[data-action=forget]").click();
    await row.waitFor({ state: "detached" });

    // A new search does not find it, on the page or through the API.
    await page.click("#memory-search-button");
    await page.waitForSelector("[data-testid=memory-results], [data-testid=memory-empty]");
    expect(await page.locator(`[data-memory="${id}"]`).count()).toBe(0);
    const api = await server.app.inject({
      method: "GET",
      url: "/api/memory/search?q=spare%20key%20flowerpot&k=50",
      headers: { host: new URL(base).host, authorization: `Bearer ${token}` },
    });
    expect(api.statusCode).toBe(200);
    const items = api.json().items as Array<{ id: string; text: string }>;
    expect(items.map((i) => i.id)).not.toContain(id);
    expect(items.map((i) => i.text)).not.toContain(fact);
    expect(pageErrors).toEqual([]);
  });

  it("memory: a task's page lists what was recalled into its context (a similar past task), or says nothing was", async () => {
    anthropic.enqueue({
      kind: "text",
      text: "Water the tomato seedlings deeply every morning; the soil should stay moist.",
    });
    const first = await orchestrator.run({
      input: "how should I water the tomato seedlings on the balcony?",
      agent: "general",
      tier: "fast",
    });
    expect(first.status).toBe("succeeded");
    anthropic.enqueue({ kind: "text", text: "Every morning, as before." });
    await visit("#/");
    await page.fill("#run-input", "remind me how often to water the tomato seedlings");
    await page.fill("#run-agent", "general");
    await page.fill("#run-tier", "fast");
    await page.click("#run-submit");
    await page.waitForSelector("[data-testid=live-status] [data-status=succeeded]");
    await page.click("[data-testid=run-box] a[href^='#/tasks/']");
    const recalled = page.locator("[data-testid=recalled]");
    await recalled.waitFor();
    const past = recalled.locator("[data-section=past_tasks]", { hasText: "tomato seedlings on the balcony" });
    expect(await past.count()).toBe(1);
    const shown = (await past.textContent()) ?? "";
    expect(shown).toContain("Past task");
    expect(shown).toContain("Task: how should I water the tomato seedlings on the balcony?");
    // The model was given the same memory.
    expect(JSON.stringify(anthropic.messageRequests.at(-1)?.body)).toContain("tomato seedlings on the balcony");

    // The very first task had nothing to recall.
    const oldest = store.tasks.list({ limit: 500 }).find((t) => t.input === "summarise my notes");
    await visit(`#/tasks/${oldest?.id}`);
    await page.waitForSelector("[data-testid=recalled-none]");
    expect(await text("[data-testid=recalled-none]")).toBe("Nothing was recalled from memory.");
  });

  it("memory: hostile memory text is shown as literal text on the memory page", async () => {
    requested.length = 0;
    await visit("#/memory");
    await page.fill("#memory-text", `zebracorn note: ${HOSTILE}`);
    await page.click("#memory-remember");
    await page.waitForSelector("[data-testid=remembered]");
    await page.fill("#memory-q", "zebracorn");
    await page.press("#memory-q", "Enter");
    const row = page.locator("[data-memory]", { hasText: "zebracorn" });
    await row.waitFor();
    expect(await row.locator("[data-testid=memory-text]").textContent()).toBe(`zebracorn note: ${HOSTILE}`);
    await page.reload(); // and the same from the address (#/memory?q=zebracorn)
    await row.waitFor();
    await page.waitForTimeout(200); // an injected image would have been requested by now
    expect(await page.evaluate("typeof window.__pwned")).toBe("undefined");
    expect(await page.locator("main img, main script").count()).toBe(0);
    const origin = new URL(base).origin;
    expect(requested.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  // One test per size and scheme (each a fresh browser context), so a slow machine gets time per set.
  let shotPages: Array<[string, string]> | undefined;
  const screenshotPages = async (): Promise<Array<[string, string]>> => {
    if (shotPages) return shotPages;
    // Something pending with a diff, so the approvals screenshots show one.
    anthropic.enqueue(
      tool("write_file", {
        path: "todo.txt",
        content: "call mum\ncall dad\nbuy oat milk\nwater the plants\nbook dentist\n",
      }),
    );
    const paused = await orchestrator.run({ input: "start my notes", agent: "code", tier: "fast" });
    expect(paused.status).toBe("awaiting_approval");
    // Memories of both kinds for the memory page's search.
    await orchestrator.memory?.add({
      text: "The tomato seedlings are a cherry variety and need a stake.",
      kind: "fact",
    });
    anthropic.enqueue({ kind: "text", text: "The watering log says every other day." });
    await orchestrator.run({ input: "find the watering log of the tomato seedlings", agent: "general", tier: "fast" });
    const someTask = store.tasks.list({ limit: 1, status: "succeeded" })[0]?.id;
    const chat = (await page.evaluate("location.hash")) as string;
    shotPages = [
      ["overview", "#/"],
      ["tasks", "#/tasks"],
      ["task-detail", `#/tasks/${someTask}`],
      ["approvals", "#/approvals"],
      ["proposals", "#/proposals"],
      ["skills", "#/skills"],
      ["memory", "#/memory?q=tomato+seedlings"],
      ["chat", chat.startsWith("#/chat/") ? chat : "#/chat"],
    ];
    return shotPages;
  };
  const sizes = [
    ["laptop", { width: 1280, height: 800 }],
    ["phone", { width: 390, height: 844 }],
  ] as const;
  for (const [size, viewport] of sizes) {
    for (const scheme of ["light", "dark"] as const) {
      it(`takes screenshots of the pages: ${size}, ${scheme}`, { timeout: 90_000 }, async () => {
        const pages = await screenshotPages();
        const { context: ctx, page: p } = await newLoggedInPage({ viewport, colorScheme: scheme });
        try {
          for (const [name, hash] of pages) {
            if (scheme === "dark" && name !== "overview" && name !== "approvals" && size === "phone") continue;
            await visit(hash, p);
            // Wait until the page's own loading lines are gone (the charts and lists are in).
            await until(`${name} to load`, async () => (await p.locator("main [role=status]").count()) === 0, 10_000);
            await p.waitForTimeout(100);
            expect(await p.evaluate("document.documentElement.classList.contains('dark')")).toBe(scheme === "dark");
            await p.screenshot({ path: join(SCREENSHOTS, `${name}-${size}-${scheme}.png`), fullPage: true });
          }
        } finally {
          await ctx.close();
        }
        expect(pageErrors).toEqual([]);
      });
    }
  }
});
