// The chat page: the latest history over HTTP, then the room's WebSocket from the highest
// message shown (docs/chat-protocol.md). Text from the server only ever reaches the page
// through textContent; every sentence comes from the template, in the user's language.

const config = JSON.parse(document.getElementById("chat-config").textContent);
const strings = JSON.parse(document.getElementById("chat-strings").textContent);
const ERASED_BODY = "[erased]";

const TYPING_EVERY = 3000; // send at most one typing frame this often
const TYPING_SHOWN = 4000; // show someone typing this long after their last frame
const READ_EVERY = 2000; // read markers count against the socket's rate limit too
const RESEND_AFTER_RATE_LIMIT = 1500;
const TOO_FAST_WAIT = 10000;
const BACKOFF_BASE = 1000;
const BACKOFF_MAX = 30000;
const STABLE_AFTER = 10000; // a connection that lasted this long resets the back-off
const NEAR_BOTTOM = 80;

const $ = (id) => document.getElementById(id);
const ui = {
  status: $("chat-status"),
  presence: $("chat-presence"),
  presenceList: $("chat-presence-list"),
  history: $("chat-history"),
  older: $("chat-older"),
  log: $("chat-log"),
  pending: $("chat-pending"),
  typing: $("chat-typing"),
  form: $("chat-form"),
  closed: $("chat-closed"),
  input: $("chat-input"),
  counter: $("chat-counter"),
  send: $("chat-send"),
  feedback: $("chat-feedback"),
  notice: $("chat-notice"),
  access: $("chat-access-notice"),
  reportDialog: $("chat-report-dialog"),
  deleteDialog: $("chat-delete-dialog"),
};

const state = {
  socket: null,
  openedAt: 0,
  attempt: 0,
  timer: null,
  stopped: false,
  closed: config.closed,
  // Read-only for this person (a room short of two adults, or one the matching dissolved):
  // the server says so in the page and in "access" events (messaging.rules).
  readOnly: !config.can_post,
  highest: 0,
  lowest: null,
  nodes: new Map(), // message id → <li>
  pending: new Map(), // client_id → {body, node}, in the order they were written
  divider: null,
  hasMore: false,
  loadingOlder: false,
  lastTypingSent: 0,
  typing: new Map(), // user id → {name, timer}
  starting: false,
  loaded: false, // the latest page is shown: the socket may start after it
  readSent: config.last_read,
  readAt: 0,
  readTimer: null,
  resendTimer: null,
};

// --- Words, numbers and times -------------------------------------------------------------

function fill(template, values) {
  return template.replace(/%\((\w+)\)s/g, (match, key) =>
    key in values ? String(values[key]) : match,
  );
}

const numbers = new Intl.NumberFormat(config.language);
const lists = Intl.ListFormat ? new Intl.ListFormat(config.language, { type: "conjunction" }) : null;

function dateFormat(options) {
  try {
    return new Intl.DateTimeFormat(config.language, { ...options, timeZone: config.time_zone });
  } catch {
    return new Intl.DateTimeFormat(config.language, options);
  }
}
const dayFormat = dateFormat({ dateStyle: "medium" });
// 24-hour clocks in every language, as the pages show times (core/formats).
const timeFormat = dateFormat({ timeStyle: "short", hourCycle: "h23" });
const fullFormat = dateFormat({ dateStyle: "medium", timeStyle: "short", hourCycle: "h23" });

function when(iso) {
  const date = new Date(iso);
  const today = dayFormat.format(new Date()) === dayFormat.format(date);
  return (today ? timeFormat : fullFormat).format(date);
}

function characters(text) {
  return [...text].length; // code points, as the server counts them
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// --- Status and feedback ------------------------------------------------------------------

function setStatus(key) {
  ui.status.dataset.state = key;
  ui.status.textContent = strings[key];
}

function showError(text) {
  ui.feedback.textContent = text;
}

function showNotice(text) {
  ui.notice.textContent = text;
  ui.notice.hidden = false;
}

function clearFeedback() {
  ui.feedback.textContent = "";
  ui.notice.hidden = true;
  ui.notice.textContent = "";
}

function updateComposer() {
  const count = characters(ui.input.value);
  const over = count > config.max_length;
  ui.counter.textContent = fill(strings.counter, {
    count: numbers.format(count),
    max: numbers.format(config.max_length),
  });
  ui.counter.classList.toggle("chat-counter-over", over);
  const blocked = state.closed || state.readOnly || state.stopped;
  ui.input.disabled = blocked;
  ui.send.disabled = blocked || over;
  ui.closed.hidden = !state.closed;
}

function setClosed(closed) {
  state.closed = closed;
  updateComposer();
}

function setAccess(canPost, notice) {
  state.readOnly = !canPost;
  if (ui.access) {
    ui.access.textContent = notice ? notice.text : "";
    ui.access.hidden = !notice;
  }
  updateComposer();
}

function stop(key) {
  state.stopped = true;
  clearTimeout(state.timer);
  setStatus(key);
  // However the chat learnt it (an error frame, a refused handshake, the history API), the
  // person is told why beside the message box too.
  if (key === "not_member" && !ui.feedback.textContent) showError(strings.not_member_feedback);
  // Nothing unsent will go now: give the words back rather than leave them "sending".
  const unsent = [...state.pending.values()];
  state.pending.clear();
  for (const item of unsent) item.node.remove();
  if (unsent.length && !ui.input.value.trim()) {
    ui.input.value = unsent.map((item) => item.body).join("\n");
  }
  updateComposer();
}

// --- Messages -----------------------------------------------------------------------------

function nearBottom() {
  const box = ui.history;
  return box.scrollHeight - box.scrollTop - box.clientHeight < NEAR_BOTTOM;
}

function scrollToBottom() {
  ui.history.scrollTop = ui.history.scrollHeight;
}

function isMine(event) {
  return Boolean(event.sender) && event.sender.id === config.me.id;
}

function actionButton(label, className, onClick) {
  const button = element("button", `link-button ${className}`, label);
  button.type = "button";
  button.addEventListener("click", () => {
    if (button.getAttribute("aria-disabled") !== "true") onClick();
  });
  return button;
}

function fillMessage(node, event) {
  const body = node.querySelector(".chat-body");
  const actions = node.querySelector(".chat-actions");
  actions.replaceChildren();
  node.querySelector(".chat-masked-note")?.remove();
  node.classList.toggle("chat-deleted", event.deleted);
  if (event.deleted) {
    body.textContent = strings.removed;
    return;
  }
  // The body of a message whose writer was erased is a marker (messaging.models.ERASED_BODY),
  // shown as a sentence in the reader's language.
  const erased = event.body === ERASED_BODY;
  node.classList.toggle("chat-erased", erased);
  body.textContent = erased ? strings.erased : event.body;
  if (event.masked) {
    // Every reader, not only the sender, learns why there are dots: in their own language.
    body.after(element("p", "chat-masked-note", strings.contact_masked));
  }
  if (event.sender && !isMine(event)) {
    actions.append(
      actionButton(strings.report, "chat-report", () => openDialog(ui.reportDialog, event)),
    );
  }
  if (config.coordinator) {
    actions.append(
      actionButton(strings.delete, "chat-delete", () => openDialog(ui.deleteDialog, event)),
    );
  }
}

function messageNode(event) {
  const node = element("li", "chat-message");
  node.dataset.id = String(event.id);
  node.classList.toggle("chat-mine", isMine(event));
  const meta = element("p", "chat-meta");
  const time = element("time", "chat-time", when(event.created));
  time.dateTime = event.created;
  meta.append(
    element("span", "chat-sender", event.sender ? event.sender.name : strings.former_member),
    " ",
    time,
    element("span", "chat-actions"),
  );
  node.append(meta, element("p", "chat-body"));
  fillMessage(node, event);
  return node;
}

// Adds a message where its number puts it; false if it is already shown.
function addMessage(event) {
  const shown = state.nodes.get(event.id);
  if (shown) {
    if (event.deleted && !shown.classList.contains("chat-deleted")) fillMessage(shown, event);
    return false;
  }
  const node = messageNode(event);
  state.nodes.set(event.id, node);
  if (event.id > state.highest) {
    ui.log.append(node);
  } else if (state.lowest !== null && event.id < state.lowest) {
    ui.log.prepend(node);
  } else {
    let next = [...ui.log.children].find((child) => Number(child.dataset.id) > event.id) || null;
    if (next && next.previousElementSibling === state.divider && event.id <= config.last_read) {
      next = state.divider;
    }
    ui.log.insertBefore(node, next);
  }
  state.highest = Math.max(state.highest, event.id);
  state.lowest = state.lowest === null ? event.id : Math.min(state.lowest, event.id);
  return true;
}

function markDeleted(id) {
  const node = state.nodes.get(id);
  if (node) fillMessage(node, { id, deleted: true });
}

function showUnreadDivider() {
  const first = [...state.nodes.keys()].filter((id) => id > config.last_read).sort((a, b) => a - b)[0];
  if (config.last_read === 0 || first === undefined) return;
  state.divider = element("li", "chat-divider", strings.new_messages);
  state.divider.setAttribute("role", "separator");
  ui.log.insertBefore(state.divider, state.nodes.get(first));
}

// The history is a polite log region (room.html): a screen reader reads each message as it goes
// in. While a page of history goes in, the region says it is busy, so old lines are not read.
function busy(on) {
  ui.history.setAttribute("aria-busy", String(on));
}

// --- History over HTTP --------------------------------------------------------------------

async function fetchPage(before, limit = config.page_size) {
  const url = new URL(config.history_url, window.location.href);
  url.searchParams.set("limit", String(limit));
  if (before !== null) url.searchParams.set("before", String(before));
  const response = await fetch(url, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });
  if (!response.ok) {
    const error = new Error(`history: HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return response.json();
}

function stopFor(status) {
  if (status === 401) stop("signed_out");
  else if (status === 403 || status === 404) stop("not_member");
  return status === 401 || status === 403 || status === 404;
}

function setHasMore(hasMore) {
  state.hasMore = hasMore;
  ui.older.hidden = !hasMore;
}

async function loadOlder() {
  if (state.loadingOlder || state.lowest === null) return;
  state.loadingOlder = true;
  ui.older.disabled = true;
  const label = ui.older.textContent;
  ui.older.textContent = strings.loading;
  try {
    const page = await fetchPage(state.lowest);
    // Keep what the reader is looking at in place while older messages go in above it.
    const fromBottom = ui.history.scrollHeight - ui.history.scrollTop;
    busy(true);
    for (const event of page.messages.slice().reverse()) addMessage(event);
    ui.history.scrollTop = ui.history.scrollHeight - fromBottom;
    setHasMore(page.has_more);
  } catch (error) {
    if (!stopFor(error.status)) showError(strings.load_failed);
  } finally {
    busy(false);
    state.loadingOlder = false;
    ui.older.disabled = false;
    ui.older.textContent = label;
  }
}

// --- The socket ---------------------------------------------------------------------------

function send(frame) {
  const socket = state.socket;
  if (!socket || socket.readyState !== WebSocket.OPEN) return false;
  socket.send(JSON.stringify(frame));
  return true;
}

function connect() {
  if (state.stopped) return;
  clearTimeout(state.timer);
  state.timer = null;
  const previous = state.socket;
  state.socket = null;
  if (previous) previous.close(1000);
  const url = new URL(config.ws_url);
  url.searchParams.set("after", String(state.highest));
  const socket = new WebSocket(url);
  state.socket = socket;
  let opened = false;
  socket.addEventListener("open", () => {
    opened = true;
    state.openedAt = Date.now();
    setStatus("connected");
    resendPending();
    markRead();
  });
  socket.addEventListener("message", (message) => {
    if (state.socket !== socket) return;
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      return;
    }
    handle(event);
  });
  socket.addEventListener("close", (close) => {
    if (state.socket !== socket) return; // replaced on purpose
    state.socket = null;
    onClose(close.code, opened);
  });
}

function backoff() {
  const ceiling = Math.min(BACKOFF_MAX, BACKOFF_BASE * 2 ** Math.min(state.attempt, 5));
  state.attempt += 1;
  return ceiling / 2 + (Math.random() * ceiling) / 2; // jitter: not every tab at once
}

function scheduleReconnect(delay) {
  clearTimeout(state.timer);
  state.timer = setTimeout(connect, delay);
}

async function onClose(code, opened) {
  if (state.stopped) return;
  if (code === 4403) {
    stop("not_member");
    return;
  }
  if (opened && Date.now() - state.openedAt > STABLE_AFTER) state.attempt = 0;
  if (code === 4429) {
    setStatus("too_fast");
    scheduleReconnect(TOO_FAST_WAIT + Math.random() * TOO_FAST_WAIT);
    return;
  }
  setStatus(navigator.onLine === false ? "offline" : "reconnecting");
  if (!opened) {
    // The handshake was refused or never reached the server: signed out, or no longer a
    // member, look the same from here, so ask the history API, which says which.
    try {
      await fetchPage(null, 1);
    } catch (error) {
      if (stopFor(error.status)) return;
    }
    if (state.socket || state.stopped) return; // reconnected meanwhile
  }
  scheduleReconnect(backoff());
}

function reconnectNow() {
  if (state.stopped) return;
  if (!state.loaded) {
    clearTimeout(state.timer);
    start();
    return;
  }
  setStatus("reconnecting");
  connect();
}

function resendPending() {
  // The same client_id again: the server stores one message and acknowledges it.
  for (const [clientId, item] of state.pending) {
    send({ type: "message", body: item.body, client_id: clientId });
  }
}

function markRead() {
  if (document.visibilityState !== "visible" || state.highest <= state.readSent) return;
  if (state.readTimer) return;
  const wait = Math.max(0, READ_EVERY - (Date.now() - state.readAt));
  state.readTimer = setTimeout(() => {
    state.readTimer = null;
    if (document.visibilityState !== "visible" || state.highest <= state.readSent) return;
    if (send({ type: "read", id: state.highest })) {
      state.readSent = state.highest;
      state.readAt = Date.now();
    }
  }, wait);
}

function handle(event) {
  switch (event.type) {
    case "message":
      onMessage(event);
      break;
    case "deleted":
      markDeleted(event.id);
      break;
    case "typing":
      onTyping(event.user);
      break;
    case "presence":
      onPresence(event.present || []);
      break;
    case "room":
      setClosed(Boolean(event.closed));
      break;
    case "access":
      setAccess(Boolean(event.can_post), event.notice);
      break;
    case "reported":
      onReported(event.id);
      break;
    case "notice":
      showNotice(event.detail);
      break;
    case "error":
      onError(event);
      break;
    default:
      break; // read markers of others, and anything newer than this page
  }
}

function onMessage(event) {
  const follow = nearBottom();
  const pending = event.client_id && isMine(event) ? state.pending.get(event.client_id) : null;
  if (pending) {
    pending.node.remove();
    state.pending.delete(event.client_id);
  }
  if (!addMessage(event)) return;
  if (!isMine(event) && event.sender) stopTyping(event.sender.id);
  if (follow || pending) scrollToBottom();
  markRead();
}

function onError(event) {
  const pending = event.client_id ? state.pending.get(event.client_id) : null;
  // layer_unavailable: saved all the same, and the acknowledgement follows.
  if (pending && event.code !== "layer_unavailable") {
    pending.node.remove();
    state.pending.delete(event.client_id);
    if (!ui.input.value.trim()) {
      ui.input.value = pending.body; // not sent: give the words back
      updateComposer();
    }
  }
  if (event.code === "closed") setClosed(true);
  if (event.code === "unsupervised" || event.code === "dissolved") {
    setAccess(false, { text: event.detail });
  }
  if (event.code === "rate_limited" && state.pending.size) {
    // A dropped frame may have been a message: send what is unacknowledged again.
    clearTimeout(state.resendTimer);
    state.resendTimer = setTimeout(resendPending, RESEND_AFTER_RATE_LIMIT);
  }
  showError(event.detail);
}

// --- Typing, presence, reports ------------------------------------------------------------

function renderTyping() {
  const names = [...state.typing.values()].map((entry) => entry.name);
  if (!names.length) ui.typing.textContent = "";
  else if (names.length === 1) ui.typing.textContent = fill(strings.typing_one, { name: names[0] });
  else {
    const joined = lists ? lists.format(names) : names.join(", ");
    ui.typing.textContent = fill(strings.typing_many, { names: joined });
  }
}

function stopTyping(userId) {
  const entry = state.typing.get(userId);
  if (!entry) return;
  clearTimeout(entry.timer);
  state.typing.delete(userId);
  renderTyping();
}

function onTyping(user) {
  if (!user || user.id === config.me.id) return;
  const entry = state.typing.get(user.id);
  if (entry) clearTimeout(entry.timer);
  state.typing.set(user.id, {
    name: user.name,
    timer: setTimeout(() => stopTyping(user.id), TYPING_SHOWN),
  });
  renderTyping();
}

function onPresence(present) {
  const items = present.map((person) => {
    const item = element("li", "chat-present", person.name);
    if (person.id === config.me.id) {
      item.classList.add("chat-present-me");
      item.append(" ", element("span", "chat-you", `(${strings.you})`));
    }
    return item;
  });
  if (!items.length) items.push(element("li", "empty", strings.nobody));
  ui.presenceList.replaceChildren(...items);
  ui.presence.hidden = false;
}

function onReported(id) {
  const node = state.nodes.get(id);
  const button = node && node.querySelector(".chat-report");
  if (button) {
    button.textContent = strings.reported;
    // aria-disabled, not disabled: the button keeps the focus that the report dialog gave
    // back to it, so a keyboard user stays on the message instead of landing on the page.
    button.setAttribute("aria-disabled", "true");
  }
  showNotice(strings.reported_thanks);
}

function openDialog(dialog, event) {
  if (!dialog) return;
  const reason = dialog.querySelector("textarea");
  reason.value = "";
  dialog.querySelector("[data-quote]").textContent = event.body;
  dialog.returnValue = "";
  dialog.onclose = () => {
    if (dialog.returnValue !== "confirm") return;
    const type = dialog === ui.deleteDialog ? "delete" : "report";
    if (!send({ type, id: event.id, reason: reason.value.trim() })) showError(strings.not_connected);
  };
  dialog.showModal();
}

// --- Writing ------------------------------------------------------------------------------

function newClientId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  // randomUUID needs a secure context; an intranet over plain HTTP may not be one.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function pendingNode(body) {
  const node = element("li", "chat-message chat-mine chat-sending");
  const meta = element("p", "chat-meta");
  meta.append(element("span", "chat-sender", config.me.name), " ", element("span", "chat-time", strings.sending));
  node.append(meta, element("p", "chat-body", body));
  return node;
}

function submit() {
  const body = ui.input.value.trim();
  if (!body || state.closed || state.stopped) return;
  if (characters(body) > config.max_length) {
    showError(strings.too_long);
    return;
  }
  const clientId = newClientId();
  const node = pendingNode(body);
  state.pending.set(clientId, { body, node });
  ui.pending.append(node);
  send({ type: "message", body, client_id: clientId }); // or on the next connection
  ui.input.value = "";
  clearFeedback();
  updateComposer();
  scrollToBottom();
}

function typed() {
  updateComposer();
  const now = Date.now();
  if (ui.input.value.trim() && now - state.lastTypingSent >= TYPING_EVERY) {
    if (send({ type: "typing" })) state.lastTypingSent = now;
  }
}

// --- Start --------------------------------------------------------------------------------

async function start() {
  if (state.starting) return;
  state.starting = true;
  setStatus("connecting");
  updateComposer();
  try {
    const page = await fetchPage(null);
    for (const event of page.messages) addMessage(event);
    setHasMore(page.has_more);
    showUnreadDivider();
    scrollToBottom();
    state.loaded = true;
    busy(false);
  } catch (error) {
    if (stopFor(error.status)) return;
    // Without the latest page the socket would replay the room from its first message.
    setStatus("reconnecting");
    scheduleRetry();
    return;
  } finally {
    state.starting = false;
  }
  connect();
}

function scheduleRetry() {
  clearTimeout(state.timer);
  state.timer = setTimeout(start, backoff());
}

ui.form.addEventListener("submit", (event) => {
  event.preventDefault();
  submit();
});
ui.input.addEventListener("keydown", (event) => {
  // Enter confirms a word in a Korean, Chinese or Japanese input method: not a send.
  if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
  event.preventDefault();
  submit();
});
ui.input.addEventListener("input", typed);
ui.older.addEventListener("click", loadOlder);
document.addEventListener("visibilitychange", markRead);
window.addEventListener("offline", () => {
  if (!state.stopped) setStatus("offline");
});
window.addEventListener("online", () => {
  // A socket that looked open through a network change may be dead without knowing it.
  reconnectNow();
});

start();
