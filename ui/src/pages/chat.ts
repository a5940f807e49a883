/**
 * Chat: the stored chat sessions; one opened shows its turns and continues with a new
 * message (POST /api/tasks with session_id: the earlier turns are its context), the reply
 * streaming in. "New chat" starts a session.
 */
import { get, post } from "../api.js";
import { h, replace } from "../dom.js";
import { errorBox } from "../errors.js";
import { firstLine, when } from "../format.js";
import { liveTask } from "../live.js";
import type { PageContext } from "../router.js";
import type { ChatSession, ChatSessionDetail } from "../types.js";
import { btn, btnPrimary, card, heading, input, link, loading, muted } from "../ui.js";

function bubble(who: "you" | "hob", body: Node | string): HTMLElement {
  const mine = who === "you";
  return h(
    "div",
    { class: `flex ${mine ? "justify-end" : "justify-start"}`, attrs: { "data-role": who } },
    h(
      "div",
      {
        class: `max-w-[85%] rounded-lg px-3 py-2 text-sm ${mine ? "bg-sky-600 text-white" : "border border-slate-200 bg-white dark:border-slate-700 dark:bg-slate-900"}`,
      },
      h("p", { class: "sr-only" }, mine ? "You said:" : "hob said:"),
      typeof body === "string" ? h("p", { class: "whitespace-pre-wrap break-words" }, body) : body,
    ),
  );
}

function sessionList(sessions: ChatSession[], current: string | undefined): HTMLElement {
  if (sessions.length === 0) return h("p", { class: muted }, "No chats yet.");
  return h(
    "ul",
    { class: "flex flex-col gap-1", attrs: { "data-testid": "chat-sessions" } },
    ...sessions.map((s) =>
      h(
        "li",
        null,
        h(
          "a",
          {
            class: `block rounded px-2 py-1.5 text-sm hover:bg-slate-100 dark:hover:bg-slate-800 ${s.id === current ? "bg-sky-100 dark:bg-sky-900" : ""}`,
            attrs: { href: `#/chat/${encodeURIComponent(s.id)}`, "aria-current": s.id === current ? "page" : null },
          },
          h("span", { class: "block truncate font-medium" }, firstLine(s.title, 60) || "(untitled chat)"),
          h(
            "span",
            { class: `block ${muted}` },
            `${s.turns} turn${s.turns === 1 ? "" : "s"} · ${when(s.last_at ?? s.created_at)}`,
          ),
        ),
      ),
    ),
  );
}

function conversation(
  sessionId: string,
  signal: AbortSignal,
  refreshList: () => void,
): { view: HTMLElement; load: () => Promise<void> } {
  const turns = h(
    "div",
    { class: "flex flex-col gap-3", attrs: { "data-testid": "chat-turns", "aria-live": "polite" } },
    loading(),
  );
  const message = h("textarea", {
    class: `${input} min-h-16`,
    attrs: { id: "chat-input", rows: 2, required: true, placeholder: "Message hob" },
  });
  const send = h("button", { class: btnPrimary, attrs: { type: "submit", id: "chat-send" } }, "Send");
  const status = h("div");
  const form = h(
    "form",
    {
      class: "flex flex-col gap-2 sm:flex-row sm:items-end",
      on: {
        submit: (event) => {
          event.preventDefault();
          const text = message.value;
          if (!text.trim()) return;
          send.disabled = true;
          post<{ id: string }>("/api/tasks", { input: text, session_id: sessionId })
            .then(({ id }) => {
              message.value = "";
              replace(status);
              turns.appendChild(bubble("you", text));
              turns.appendChild(
                bubble(
                  "hob",
                  liveTask(id, signal, {
                    compact: true,
                    onEnd: () => {
                      send.disabled = false;
                      refreshList();
                    },
                  }),
                ),
              );
            })
            .catch((error: unknown) => {
              send.disabled = false;
              replace(status, errorBox(error));
            });
        },
      },
    },
    h("label", { class: "sr-only", attrs: { for: "chat-input" } }, "Message"),
    message,
    send,
  );
  const load = async () => {
    const detail = await get<ChatSessionDetail>(`/api/sessions/${encodeURIComponent(sessionId)}`, signal);
    if (signal.aborted) return;
    replace(
      turns,
      ...(detail.turns.length === 0
        ? [h("p", { class: muted }, "A new chat: say something.")]
        : detail.turns.flatMap((t) => [
            bubble("you", t.input),
            bubble(
              "hob",
              h(
                "div",
                null,
                h("p", { class: "whitespace-pre-wrap break-words" }, t.output ?? ""),
                h(
                  "a",
                  { class: `${link} text-xs`, attrs: { href: `#/tasks/${encodeURIComponent(t.task_id)}` } },
                  "task",
                ),
              ),
            ),
          ])),
    );
  };
  return {
    view: h(
      "section",
      { class: `${card} flex flex-col gap-4`, attrs: { "aria-label": "Conversation" } },
      turns,
      form,
      status,
    ),
    load,
  };
}

export async function chatPage({ root, params, signal }: PageContext): Promise<void> {
  const current = params[0];
  const listSlot = h("div", null, loading());
  const status = h("div", { attrs: { "aria-live": "polite" } });
  const newChat = h(
    "button",
    {
      class: btn,
      attrs: { type: "button", id: "new-chat" },
      on: {
        click: () => {
          newChat.disabled = true;
          post<{ id: string }>("/api/sessions")
            .then(({ id }) => {
              location.hash = `#/chat/${encodeURIComponent(id)}`;
            })
            .catch((error: unknown) => {
              newChat.disabled = false;
              replace(status, errorBox(error));
            });
        },
      },
    },
    "New chat",
  );
  const loadList = () =>
    get<{ items: ChatSession[] }>("/api/sessions", signal)
      .then(({ items }) => {
        if (!signal.aborted) replace(listSlot, sessionList(items, current));
      })
      .catch((error: unknown) => {
        if (!signal.aborted) replace(listSlot, errorBox(error));
      });
  const chat = current ? conversation(current, signal, () => void loadList()) : null;
  replace(
    root,
    heading("Chat", newChat),
    status,
    h(
      "div",
      { class: "grid grid-cols-1 gap-4 md:grid-cols-[16rem_1fr]" },
      h("nav", { class: `${card} self-start`, attrs: { "aria-label": "Chats" } }, listSlot),
      chat ? chat.view : h("p", { class: muted }, "Open a chat on the left, or start a new one."),
    ),
  );
  await Promise.all([loadList(), chat?.load()]);
}
