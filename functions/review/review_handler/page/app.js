// The review desk's page: sign-in against the stack's user pool, the queue, one video, and the
// reviewer's decision. Talks only to this API (same origin) and the user pool's endpoint; the
// content security policy the API sends with this file allows nothing else. No build step.
"use strict";

const config = JSON.parse(document.querySelector('meta[name="review-config"]').content);
const $ = (id) => document.getElementById(id);
const SESSION = "review-desk-session";
let current = null; // the video on screen: its view as GET /review/tasks answered
let queueCursor = null;

// --- sign-in (Cognito user pool, USER_PASSWORD_AUTH) -----------------------------------------

async function cognito(action, body) {
  const response = await fetch(config.cognitoEndpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
    },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(answer.message || answer.__type || `sign-in failed (${response.status})`);
  }
  return answer;
}

function claimsOf(token) {
  const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function session() {
  const saved = JSON.parse(sessionStorage.getItem(SESSION) || "null");
  return saved && saved.expires > Date.now() / 1000 + 30 ? saved : null;
}

function keep(result) {
  const claims = claimsOf(result.IdToken);
  sessionStorage.setItem(SESSION, JSON.stringify({
    token: result.IdToken, expires: claims.exp, email: claims.email || claims["cognito:username"],
  }));
}

let challenge = null; // NEW_PASSWORD_REQUIRED: the user pool asks a new reviewer for a password

async function signIn(event) {
  event.preventDefault();
  say("");
  const email = $("email").value.trim();
  try {
    let answer;
    if (challenge) {
      answer = await cognito("RespondToAuthChallenge", {
        ChallengeName: "NEW_PASSWORD_REQUIRED", ClientId: config.clientId, Session: challenge,
        ChallengeResponses: { USERNAME: email, NEW_PASSWORD: $("new-password").value },
      });
    } else {
      answer = await cognito("InitiateAuth", {
        AuthFlow: "USER_PASSWORD_AUTH", ClientId: config.clientId,
        AuthParameters: { USERNAME: email, PASSWORD: $("password").value },
      });
    }
    if (answer.ChallengeName === "NEW_PASSWORD_REQUIRED") {
      challenge = answer.Session;
      $("new-password-row").hidden = false;
      $("new-password").focus();
      say("Choose your own password to finish signing in.");
      return;
    }
    if (!answer.AuthenticationResult) throw new Error(`unexpected sign-in step ${answer.ChallengeName}`);
    challenge = null;
    keep(answer.AuthenticationResult);
    $("password").value = "";
    route();
  } catch (error) {
    problem(`Signing in failed: ${error.message}`);
  }
}

function signOut() {
  sessionStorage.removeItem(SESSION);
  location.hash = "";
  route();
}

// --- the API --------------------------------------------------------------------------------

async function api(path, options = {}) {
  const saved = session();
  if (!saved) { showSignIn(); throw new Error("signed out"); }
  const response = await fetch(`review/${path}`, {
    ...options,
    headers: { Authorization: saved.token, "Content-Type": "application/json" },
  });
  if (response.status === 401) { signOut(); throw new Error("your session ended: sign in again"); }
  const body = await response.json().catch(() => ({}));
  return { status: response.status, body };
}

const part = (text) => encodeURIComponent(text);

// --- rendering helpers ------------------------------------------------------------------------

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = value; else node.setAttribute(name, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function say(text) { $("status").textContent = text; if (text) $("problem").textContent = ""; }
function problem(text) { $("problem").textContent = text; }
const score = (value) => (value === null || value === undefined ? "n/a" : Number(value).toFixed(2));

function show(section) {
  for (const id of ["sign-in", "queue", "video"]) $(id).hidden = id !== section;
  const saved = session();
  $("who").textContent = saved ? `Signed in as ${saved.email}` : "";
  $("sign-out").hidden = !saved;
}

function showSignIn() {
  show("sign-in");
  $("email").focus();
}

// --- the queue ----------------------------------------------------------------------------------

function queueItem(entry) {
  const href = `#/tasks/${part(entry.vendor)}/${part(entry.task_id)}`;
  const label = `${entry.suggestion} ${entry.categories.join(", ")} ${score(entry.max_score)}: ` +
    `${entry.vendor} task ${entry.task_id}, ${entry.finding_count} frames, received ${entry.received_at}`;
  const thumbs = el("span", { class: "thumbs" });
  for (const frame of entry.thumbnails) {
    thumbs.append(el("img", { src: frame.frame_url, alt: `${frame.category} ${score(frame.score)}` }));
  }
  const text = el("span", {},
    el("span", { class: `badge ${entry.suggestion}`, text: entry.suggestion }), " ",
    el("strong", { text: entry.categories.join(", ") || "unscored" }),
    ` ${score(entry.max_score)}`, el("br"),
    `${entry.vendor} task ${entry.task_id}`, el("br"),
    el("small", { text: `video ${entry.video_id || "-"}, revision ${entry.revision}, received ${entry.received_at}` }));
  return el("li", {}, el("a", { href, "aria-label": label, class: "queue-entry" }, thumbs, text));
}

async function loadQueue(more = false) {
  show("queue");
  const query = more && queueCursor ? `?cursor=${part(queueCursor)}` : "";
  const { status, body } = await api(`queue${query}`);
  if (status !== 200) { problem(body.error || `the queue answered ${status}`); return; }
  if (!more) $("queue-list").replaceChildren();
  for (const entry of body.items) $("queue-list").append(queueItem(entry));
  queueCursor = body.cursor;
  $("queue-more").hidden = !queueCursor;
  const count = $("queue-list").children.length;
  say(count ? `${count} flagged videos await a decision.` : "Nothing awaits a decision.");
  if (!more) { const first = document.querySelector(".queue-entry"); if (first) first.focus(); }
}

// --- one video ----------------------------------------------------------------------------------

function facts(view) {
  const rows = [
    ["Vendor", view.vendor], ["Task", view.task_id], ["Video", view.video_id || "-"],
    ["Source", view.source_url || "-"], ["Revision", String(view.revision)],
    ["Received", view.received_at], ["Our suggestion", view.suggestion || "-"],
    ["Vendor's suggestion", view.vendor_suggestion || "-"], ["Decided by", view.decided_by],
    ["Categories", view.categories.join(", ") || "-"], ["Max score", score(view.max_score)],
  ];
  return rows.flatMap(([name, value]) => [el("dt", { text: name }), el("dd", { text: value })]);
}

function threshold(view, category) {
  const level = view.thresholds[category] || view.thresholds.default || {};
  return `review ${level.review ?? "off"} / block ${level.block ?? "off"}`;
}

function frameItem(view, frame) {
  const caption = `Frame ${frame.n + 1}: ${frame.category}${frame.label && frame.label !== frame.category ? ` (${frame.label})` : ""}, ` +
    `score ${score(frame.score)}, ${frame.suggestion}`;
  const picture = frame.frame_url
    ? el("img", { src: frame.frame_url, alt: caption, class: "frame" })
    : el("div", { class: "missing", text: `no frame kept: ${frame.missing}` });
  return el("li", { tabindex: "0", class: "frame-item", "aria-label": caption }, el("figure", {},
    picture,
    el("figcaption", {},
      el("strong", { text: caption }), el("br"),
      `threshold ${threshold(view, frame.category)}`, el("br"),
      `time ${frame.time ?? "-"}${frame.vendor_review ? ", the vendor asks for review" : ""}`, el("br"),
      el("small", { text: `source ${frame.image_url || "-"}` }))));
}

function decisionItem(entry) {
  const who = entry.decided_by === "reviewer" ? (entry.reviewer_email || entry.reviewer_id) : "the vendor's own review";
  return el("li", { class: "decision" },
    el("strong", { text: entry.decision }), ` revision ${entry.revision} by ${who} at ${entry.decided_at}`,
    entry.note ? el("span", { text: `: ${entry.note}` }) : null);
}

async function loadVideo(vendor, taskId) {
  show("video");
  const { status, body } = await api(`tasks/${part(vendor)}/${part(taskId)}`);
  if (status !== 200) { problem(body.error || `the video answered ${status}`); return; }
  current = body;
  $("claim").textContent = "";
  $("video-title").textContent = `${body.vendor} task ${body.task_id}`;
  $("video-facts").replaceChildren(...facts(body));
  $("frames").replaceChildren(...body.frames.map((frame) => frameItem(body, frame)));
  $("decisions").replaceChildren(...(body.decisions.length ? body.decisions.map(decisionItem) : [el("li", { text: "none yet" })]));
  $("earlier").replaceChildren(...(body.earlier_revisions.length
    ? body.earlier_revisions.map((r) => el("p", { text: `revision ${r.revision}: ${r.frames.length} frames kept` }))
    : [el("p", { text: "none kept" })]));
  $("confirm").disabled = $("clear").disabled = !body.awaiting_decision;
  say(body.awaiting_decision ? `Revision ${body.revision} awaits your decision.` : `Revision ${body.revision} is decided.`);
  $("video-title").focus();
  if (body.awaiting_decision) claim(body);
}

async function claim(view) {
  const { status, body } = await api(`tasks/${part(view.vendor)}/${part(view.task_id)}/claim`, { method: "POST" });
  $("claim").textContent = status === 200
    ? `You work on this video until ${body.claim.until}.`
    : body.error || `claim answered ${status}`;
}

async function decide(decision) {
  if (!current || !current.awaiting_decision) return;
  const view = current;
  const { status, body } = await api(`tasks/${part(view.vendor)}/${part(view.task_id)}/decision`, {
    method: "POST",
    body: JSON.stringify({ decision, revision: view.revision, note: $("note").value }),
  });
  if (status !== 200) { problem(body.error || `the decision answered ${status}`); return; }
  $("note").value = "";
  await loadVideo(view.vendor, view.task_id);
  say(`${decision === "confirm" ? "Confirmed" : "Cleared"}: ${view.vendor} task ${view.task_id} revision ${view.revision}.`);
}

// --- keys and routes ----------------------------------------------------------------------------

function moveFocus(selector, step) {
  const items = [...document.querySelectorAll(selector)];
  if (!items.length) return;
  const at = items.indexOf(document.activeElement);
  items[Math.max(0, Math.min(items.length - 1, at + step))].focus();
}

function onKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target.closest("input, textarea, select")) return;
  const inVideo = !$("video").hidden;
  const keys = inVideo
    ? { j: () => moveFocus(".frame-item", 1), k: () => moveFocus(".frame-item", -1),
        c: () => decide("confirm"), x: () => decide("clear"), u: () => { location.hash = ""; } }
    : { j: () => moveFocus(".queue-entry", 1), k: () => moveFocus(".queue-entry", -1), r: () => loadQueue() };
  if ($("queue").hidden && !inVideo) return;
  const action = keys[event.key];
  if (action) { event.preventDefault(); action(); }
}

function route() {
  if (!session()) { showSignIn(); return; }
  const found = location.hash.match(/^#\/tasks\/([^/]+)\/(.+)$/);
  const done = found ? loadVideo(decodeURIComponent(found[1]), decodeURIComponent(found[2])) : loadQueue();
  done.catch((error) => problem(error.message));
}

$("sign-in-form").addEventListener("submit", signIn);
$("sign-out").addEventListener("click", signOut);
$("queue-more").addEventListener("click", () => loadQueue(true).catch((e) => problem(e.message)));
$("confirm").addEventListener("click", () => decide("confirm").catch((e) => problem(e.message)));
$("clear").addEventListener("click", () => decide("clear").catch((e) => problem(e.message)));
$("back").addEventListener("click", (event) => { event.preventDefault(); location.hash = ""; });
document.addEventListener("keydown", onKey);
window.addEventListener("hashchange", route);
route();
