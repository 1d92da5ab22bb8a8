// The sparkconnect panel's view (anywidget ESM; shipped in the package, no network).
//
// The kernel owns the state: traits arrive from it, and everything the user does goes back as a
// custom message (model.send). This view keeps only what is being typed (conf rows, log search)
// and what is purely visual (confirm bar, the embedded Spark UI). A Cancel of a job posts to the
// panel's endpoint through Jupyter's proxy when there is one, because widget messages wait
// while the kernel runs a cell (see cancel_endpoint.py).
//
// The JupyterLab extension (labextension/) renders this same view in its sidebar and its log
// tab, with a model of its own that speaks to the server's REST API instead of a kernel. The
// `layout` value, read once, says which: "notebook" (the `%spark panel` output), "sidebar" (no
// notebook of its own: buttons act on the server, Jobs are server-wide and read-only) or "log"
// (only the Logs body, filling a tab).

const TABS = [
  ["status", "Status"],
  ["configure", "Configure"],
  ["logs", "Logs"],
  ["jobs", "Jobs"],
  ["ui", "Spark UI"],
];
const LAYOUT_TABS = {
  notebook: TABS.map(([name]) => name),
  sidebar: ["status", "configure", "jobs"],
  log: ["logs"],
};
const BUSY_WORDS = {
  start: "Starting…",
  stop: "Stopping…",
  "stop-all": "Stopping for everyone…",
  restart: "Restarting…",
  "restart-all": "Restarting…",
  conf: "Saving…",
};
const LEVELS = ["", "DEBUG", "INFO", "WARN", "ERROR"];
const PRESENCE_EVERY = 5000; // ms; the kernel counts a silent view as gone after 15 s
let views = 0;

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "className") node.className = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function plural(count, word) {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

function seconds(value) {
  if (value < 60) return `${value.toFixed(1)} s`;
  const minutes = Math.floor(value / 60);
  return minutes < 60
    ? `${minutes}m ${String(Math.floor(value % 60)).padStart(2, "0")}s`
    : `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, "0")}m`;
}

// As the kernel writes it (render/server_cards.py, uptime).
function uptime(value) {
  const total = Math.max(0, Math.floor(value));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  if (hours) return `${hours}h ${String(minutes).padStart(2, "0")}m`;
  if (minutes) return `${minutes}m ${String(secs).padStart(2, "0")}s`;
  return `${secs}s`;
}

function render({ model, el }) {
  const view = `v${++views}-${Math.random().toString(36).slice(2, 10)}`;
  const send = (message) => model.send(message);
  const layout = LAYOUT_TABS[model.get("layout")] ? model.get("layout") : "notebook";
  const sidebar = layout === "sidebar";
  const shownTabs = TABS.filter(([name]) => LAYOUT_TABS[layout].includes(name));
  const firstTab = LAYOUT_TABS[layout].includes(model.get("tab")) ? model.get("tab") : shownTabs[0][0];
  const ui = {
    tab: firstTab,
    confirm: null, // "stop-all" or "restart" while asking
    dismissed: 0, // id of the message the user closed
    draft: null, // conf rows being edited: [{key, value, scope}]
    draftVersion: -1,
    seq: 0,
    frame: false,
    cancels: {}, // operation id -> what the Cancel click did
  };

  // Skeleton: built once; the parts below are refilled when their traits change.
  const pill = h("span", { className: "spc-pill" });
  const summary = h("span", { className: "spc-summary" });
  const buttons = h("div", { className: "spc-buttons" });
  const confirmBar = h("div", { className: "spc-confirm", role: "alertdialog" });
  const message = h("div", { className: "spc-message" });
  const tabs = h("div", { className: "spc-tabs", role: "tablist" });
  const bodies = {};
  for (const [name] of TABS) bodies[name] = h("div", { className: `spc-body spc-body-${name}` });
  const root = h(
    "div",
    // MathJax must leave log lines and code (with their dollar signs) alone.
    { className: "spc-panel mathjax_ignore tex2jax_ignore", "data-layout": layout === "notebook" ? null : layout },
    layout === "log"
      ? bodies.logs
      : [
          h("div", { className: "spc-head" }, h("span", { className: "spc-title" }, "Spark Connect"), pill, summary),
          buttons,
          confirmBar,
          message,
          tabs,
          ...shownTabs.map(([name]) => bodies[name]),
        ],
  );
  el.append(root);

  // Header and buttons -------------------------------------------------------------------------
  function server() {
    return model.get("server") || {};
  }

  function drawHead() {
    const state = server();
    const busy = model.get("busy");
    pill.textContent = busy ? BUSY_WORDS[busy] || "Working…" : state.label || "unknown";
    pill.dataset.state = busy ? "busy" : state.state || "unknown";
    summary.textContent = state.summary || "";
    if (sidebar) {
      drawSidebarButtons(state, busy);
      return;
    }
    const running = state.state === "running";
    const attached = (state.attached || []).some((a) => a.me);
    const remote = state.state === "remote";
    // Stop for everyone and Restart ask first (the confirm bar names whom they cut off).
    const action = (name, label, enabled, title, confirm) =>
      actionButton(name, label, enabled && !busy, title, confirm ? name : null);
    buttons.replaceChildren(
      action("start", "Start", !remote && !(state.session && running), "Launch the server, or attach this notebook to the running one (%spark start)"),
      action("stop", "Stop (this notebook)", state.session || attached, "Release this notebook's session; the server stops if no other notebook uses it (%spark stop)"),
      action("stop-all", "Stop for everyone", running && !remote, "Stop the server for every notebook (%spark stop --force)", true),
      action("restart", "Restart", running && !remote, "Stop the server for every notebook and start it again with the saved conf (%spark restart)", true),
    );
  }

  // A button that sends an action, or first asks to confirm `confirm` (an action name).
  function actionButton(name, label, enabled, title, confirm) {
    return h(
      "button",
      {
        className: `spc-button spc-action-${name}`,
        "data-action": name,
        disabled: !enabled,
        title,
        onclick: () => {
          if (confirm) {
            ui.confirm = confirm;
            drawConfirm();
          } else send({ type: "action", name });
        },
      },
      label,
    );
  }

  // The sidebar belongs to no notebook: Stop and Restart act on the server, and ask first when
  // notebooks would lose their sessions.
  function drawSidebarButtons(state, busy) {
    const running = state.state === "running";
    const attached = (state.attached || []).length;
    const action = (name, label, enabled, title) =>
      actionButton(name, label, enabled && !busy, title, name !== "start" && attached ? `${name}-all` : null);
    const opener = (type, name, label, enabled, title) =>
      h("button", { className: `spc-button spc-open-${name}`, disabled: !enabled, title, onclick: () => send({ type }) }, label);
    buttons.replaceChildren(
      action("start", "Start", !running && state.state !== "starting", "Launch the server with the saved conf; notebooks attach with %spark start"),
      action("stop", "Stop", running, "Stop the server (notebooks attached to it lose their sessions)"),
      action("restart", "Restart", running, "Stop the server and start it again with the saved conf"),
      opener("open-log", "log", "Server log", true, "The server's log in a tab"),
      opener("open-ui", "ui", "Spark UI", Boolean(state.ui_url), "The Spark UI in a tab (while the server runs)"),
    );
  }

  function drawConfirm() {
    if (!ui.confirm) {
      confirmBar.replaceChildren();
      confirmBar.hidden = true;
      return;
    }
    const state = server();
    const others = (state.attached || []).filter((a) => !a.me);
    const names = others.map((a) => a.name).join(", ");
    const cut = others.length
      ? `It cuts off ${plural(others.length, sidebar ? "notebook" : "other notebook")} (${names}): their sessions end, with their temp views and session confs.`
      : sidebar
        ? "No notebook is attached."
        : "No other notebook is attached.";
    const restarting = ui.confirm === "restart" || ui.confirm === "restart-all";
    const what = restarting ? "Restart the server for everyone?" : "Stop the server for everyone?";
    confirmBar.hidden = false;
    confirmBar.replaceChildren(
      h("span", { className: "spc-confirm-text" }, `${what} ${cut}`),
      h(
        "button",
        {
          className: "spc-button spc-danger spc-confirm-yes",
          onclick: () => {
            send({ type: "action", name: ui.confirm });
            ui.confirm = null;
            drawConfirm();
          },
        },
        restarting ? "Restart for everyone" : "Stop for everyone",
      ),
      h(
        "button",
        {
          className: "spc-button spc-confirm-no",
          onclick: () => {
            ui.confirm = null;
            drawConfirm();
          },
        },
        "Keep running",
      ),
    );
  }

  function drawMessage() {
    const said = model.get("message") || {};
    if (!said.id || said.id === ui.dismissed) {
      message.hidden = true;
      message.replaceChildren();
      return;
    }
    message.hidden = false;
    message.dataset.level = said.level;
    const body = h("div", { className: "spc-message-body" });
    // Our own cards, built and escaped by the kernel (render/*.py).
    body.innerHTML = said.html || "";
    // The lines that explain a failed start are in the server's log.
    const openLog =
      layout !== "notebook" && said.start_failed
        ? h("button", { className: "spc-button spc-open-failure-log", onclick: () => send({ type: "open-log" }) }, "Open log")
        : null;
    if (openLog) body.append(openLog);
    message.replaceChildren(
      body,
      h(
        "button",
        {
          className: "spc-close",
          title: "Dismiss",
          "aria-label": "Dismiss",
          onclick: () => {
            ui.dismissed = said.id;
            drawMessage();
          },
        },
        "×",
      ),
    );
  }

  // Tabs ---------------------------------------------------------------------------------------
  function drawTabs() {
    const running = (model.get("jobs") || {}).running || 0;
    tabs.replaceChildren(
      ...shownTabs.map(([name, label]) =>
        h(
          "button",
          {
            className: `spc-tab${ui.tab === name ? " spc-tab-active" : ""}`,
            role: "tab",
            "data-tab": name,
            "aria-selected": ui.tab === name ? "true" : "false",
            onclick: () => {
              ui.tab = name;
              send({ type: "tab", tab: name });
              drawTabs();
            },
          },
          name === "jobs" && running ? `${label} (${running} running)` : label,
        ),
      ),
    );
    for (const [name, body] of Object.entries(bodies)) body.hidden = name !== ui.tab;
  }

  function drawStatus() {
    const state = server();
    const rows = [["State", state.label || ""], ...(state.rows || [])];
    const attached = state.attached || [];
    const notebook = (a) =>
      sidebar && a.title
        ? h("button", { className: "spc-link spc-open-notebook", "data-path": a.title, title: `Open ${a.title}`, onclick: () => send({ type: "open-notebook", path: a.title }) }, a.name)
        : a.name;
    const notebooks = h(
      "ul",
      { className: "spc-notebooks" },
      attached.map((a) => h("li", { title: a.title }, notebook(a), a.me ? h("span", { className: "spc-me" }, " (this notebook)") : null)),
    );
    bodies.status.replaceChildren(
      ...[
        h(
          "table",
          { className: "spc-kv" },
          rows.map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, v))),
          h(
            "tr",
            {},
            h("th", {}, "Notebooks"),
            h("td", {}, attached.length ? [plural(attached.length, "notebook") + " attached", notebooks] : "none attached"),
          ),
        ),
        state.problem ? h("div", { className: "spc-note spc-warn" }, state.problem) : null,
        sidebar ? snippet : null,
      ].filter(Boolean),
    );
    tick();
  }

  // The sidebar is told the state when it changes, not every second: its uptime moves here,
  // from the server's start time and the server's clock at the last answer.
  const clock = { skew: 0, at: null }; // server's clock minus ours, from its answer at `at`
  function tick() {
    const state = server();
    if (!sidebar || typeof state.started_at !== "number") return;
    if (typeof state.server_time === "number" && state.server_time !== clock.at) {
      clock.at = state.server_time;
      clock.skew = state.server_time - Date.now() / 1000;
    }
    const up = uptime(Date.now() / 1000 + clock.skew - state.started_at);
    if (state.spark_version) summary.textContent = `Spark ${state.spark_version} · ${state.master} · up ${up}`;
    for (const row of bodies.status.querySelectorAll(".spc-kv tr")) {
      if (row.firstChild.textContent === "Uptime") row.lastChild.textContent = up;
    }
  }
  const ticker = sidebar ? setInterval(tick, 1000) : null;

  // How to get `spark` in a notebook (the sidebar only: a notebook's panel is in one already).
  const snippetText = "%load_ext sparkconnect\nspark";
  const snippetCode = h("pre", { className: "spc-snippet-code" }, snippetText);
  const copyButton = h(
    "button",
    {
      className: "spc-button spc-copy",
      title: "Copy the two lines",
      onclick: async () => {
        try {
          await navigator.clipboard.writeText(snippetText);
          copyButton.textContent = "Copied";
        } catch {
          // No clipboard (plain http, or the permission refused): select it for Ctrl+C.
          const range = document.createRange();
          range.selectNodeContents(snippetCode);
          const selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          copyButton.textContent = "Selected: press Ctrl+C";
        }
        setTimeout(() => (copyButton.textContent = "Copy"), 2000);
      },
    },
    "Copy",
  );
  const snippet = h(
    "div",
    { className: "spc-snippet" },
    h("div", { className: "spc-snippet-title" }, h("span", {}, "Use it in a notebook"), copyButton),
    snippetCode,
    h("div", { className: "spc-muted" }, "or run ", h("code", {}, "sparkconnect enable"), " once in a terminal so every new notebook has ", h("code", {}, "spark"), "."),
  );

  // Configure ----------------------------------------------------------------------------------
  const keysId = `spc-keys-${view}`;
  const confRows = h("div", { className: "spc-conf-rows" });
  const applyButton = h("button", { className: "spc-button spc-primary spc-conf-apply", onclick: () => send({ type: "conf-apply", rows: ui.draft }) }, "Apply");
  const profileSelect = h("select", {
    className: "spc-profile",
    onchange: (event) => send({ type: "profile", name: event.target.value }),
  });
  const profileNote = h("span", { className: "spc-muted" });
  const planBox = h("div", { className: "spc-plan" });
  const keysList = h("datalist", { id: keysId });
  bodies.configure.append(
    h("label", { className: "spc-field" }, "Profile ", profileSelect, profileNote),
    h(
      "div",
      { className: "spc-muted" },
      sidebar
        ? "Rows marked “now” apply at once to the session of the notebook you last worked in; “next start” rows are saved for the server's next start (Restart applies them)."
        : "Rows marked “now” apply to this notebook's session at once; “next start” rows are saved for the server's next start (Restart applies them).",
    ),
    confRows,
    h(
      "div",
      { className: "spc-row-buttons" },
      h("button", { className: "spc-button spc-conf-add", onclick: () => { ui.draft.push({ key: "", value: "", scope: "auto" }); drawRows(); checkDraft(); } }, "+ Add row"),
      applyButton,
      h("button", { className: "spc-button spc-conf-revert", onclick: () => { ui.draftVersion = -1; drawConf(); } }, "Revert"),
    ),
    h("details", { className: "spc-plan-details" }, h("summary", {}, "What the next start applies"), planBox),
    keysList,
  );

  function drawKeys() {
    keysList.replaceChildren(...(model.get("known_keys") || []).map(([key, what]) => h("option", { value: key }, what)));
  }

  let checkTimer = null;
  function checkDraft() {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(() => send({ type: "conf-draft", seq: ++ui.seq, rows: ui.draft }), 120);
  }

  function drawProfiles() {
    const chosen = model.get("profile") || "";
    const found = model.get("profiles") || [];
    profileSelect.replaceChildren(
      h("option", { value: "" }, "(no profile)"),
      ...found.map((p) => h("option", { value: p.name, selected: p.name === chosen }, p.label || p.name)),
    );
    profileSelect.value = chosen;
    const description = (found.find((p) => p.name === chosen) || {}).description || "";
    profileNote.textContent = model.get("profiles_error") || description || (found.length ? "" : " none in the config files (%spark profiles)");
    profileNote.className = model.get("profiles_error") ? "spc-error-text" : "spc-muted";
  }

  function drawConf() {
    const given = model.get("conf_rows") || {};
    if (ui.draft === null || given.version !== ui.draftVersion) {
      ui.draft = (given.rows || []).map((row) => ({ ...row }));
      ui.draftVersion = given.version;
      drawRows();
      checkDraft();
    }
    planBox.innerHTML = model.get("conf_plan_html") || "";
  }

  function drawRows() {
    confRows.replaceChildren(
      ...ui.draft.map((row, index) => {
        const key = h("input", {
          className: "spc-conf-key",
          list: keysId,
          placeholder: "spark.key",
          value: row.key,
          spellcheck: "false",
          "aria-label": "conf key",
          oninput: (event) => { row.key = event.target.value; checkDraft(); },
        });
        const value = h("input", {
          className: "spc-conf-value",
          placeholder: "value",
          value: row.value,
          spellcheck: "false",
          "aria-label": "conf value",
          oninput: (event) => { row.value = event.target.value; checkDraft(); },
        });
        const badge = h("button", {
          className: "spc-badge",
          onclick: () => {
            // A runtime conf may also be saved for the server; the kernel says which can.
            row.scope = badge.dataset.applies === "session" ? "server" : "auto";
            checkDraft();
          },
        });
        const remove = h("button", { className: "spc-close", title: "Remove row", "aria-label": "Remove row", onclick: () => { ui.draft.splice(index, 1); drawRows(); checkDraft(); } }, "×");
        const problem = h("div", { className: "spc-row-problem" });
        return h("div", { className: "spc-conf-row", "data-index": index }, h("div", { className: "spc-conf-line" }, key, h("span", { className: "spc-eq" }, "="), value, badge, remove), problem);
      }),
    );
    drawChecks();
  }

  function drawChecks() {
    const given = model.get("conf_checks") || {};
    const checks = given.seq === ui.seq ? given.checks || [] : null;
    let invalid = false;
    confRows.querySelectorAll(".spc-conf-row").forEach((node, index) => {
      const check = checks ? checks[index] : null;
      const badge = node.querySelector(".spc-badge");
      const problem = node.querySelector(".spc-row-problem");
      node.dataset.state = check ? check.state : "checking";
      if (!check) {
        // Widget messages wait while a cell runs; say why the row is not marked yet.
        problem.textContent = model.get("kernel_busy") ? "checked when the running cell ends" : "";
        return;
      }
      invalid = invalid || check.state === "invalid";
      badge.dataset.applies = check.applies;
      const notebook = sidebar ? "current notebook" : "this notebook";
      badge.textContent = check.applies === "session" ? `now · ${notebook}` : "next start · server";
      badge.disabled = !check.can_choose;
      badge.title = check.can_choose
        ? `A runtime conf: click to switch between the ${notebook}'s session (now) and the server (next start)`
        : "Read when the server starts";
      problem.textContent = check.message || "";
    });
    applyButton.disabled = invalid || !checks || Boolean(model.get("busy"));
    applyButton.title = invalid ? "Fix the rows marked in red first" : "";
  }

  // Logs ---------------------------------------------------------------------------------------
  const levelSelect = h(
    "select",
    { className: "spc-log-level", "aria-label": "log level", onchange: () => sendLogFilter() },
    LEVELS.map((level) => h("option", { value: level }, level ? `${level} and above` : "all levels")),
  );
  let grepTimer = null;
  const grepInput = h("input", {
    className: "spc-log-grep",
    type: "search",
    placeholder: "search",
    spellcheck: "false",
    "aria-label": "search the log",
    oninput: () => { clearTimeout(grepTimer); grepTimer = setTimeout(sendLogFilter, 250); },
  });
  const logPath = h("div", { className: "spc-muted spc-path" });
  const logLines = h("pre", { className: "spc-log" });
  const logNotes = h("div", { className: "spc-muted" });
  bodies.logs.append(h("div", { className: "spc-row-buttons" }, levelSelect, grepInput), logPath, logLines, logNotes);

  function sendLogFilter() {
    send({ type: "logs", level: levelSelect.value, grep: grepInput.value });
    // The kernel filters (as %spark logs does); while a cell runs, the request waits for it.
    if (model.get("kernel_busy")) logNotes.textContent = "The filter applies when the running cell ends; the log keeps following meanwhile.";
  }

  function drawLogs() {
    const given = model.get("log") || {};
    const following = logLines.scrollHeight - logLines.scrollTop - logLines.clientHeight < 24;
    logPath.textContent = given.path ? `${given.path} · following live` : "";
    logLines.replaceChildren(
      ...(given.lines || []).map(([level, text]) =>
        h("span", { className: `spc-log-line spc-log-${(level || "none").toLowerCase()}` }, text + "\n"),
      ),
    );
    logNotes.textContent = (given.notes || []).join(" ");
    if (document.activeElement !== levelSelect) levelSelect.value = given.level || "";
    if (following) logLines.scrollTop = logLines.scrollHeight;
  }

  // Jobs ---------------------------------------------------------------------------------------
  async function cancel(operation) {
    const endpoint = model.get("cancel") || {};
    ui.cancels[operation] = "cancelling…";
    drawJobs();
    if (!endpoint.url) {
      send({ type: "cancel", operation });
      if (model.get("kernel_busy")) ui.cancels[operation] = "waits for the running cell (see below)";
      drawJobs();
      return;
    }
    try {
      const response = await fetch(endpoint.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ secret: endpoint.secret, operation }),
      });
      const answer = await response.json();
      ui.cancels[operation] = answer.message;
    } catch (error) {
      ui.cancels[operation] = `could not reach the kernel (${error})`;
    }
    drawJobs();
  }

  function drawJobs() {
    const given = model.get("jobs") || {};
    const rows = given.rows || [];
    const table = rows.length
      ? h(
          "div",
          { className: "spc-scroll" },
          h(
            "table",
            { className: "spc-jobs" },
            h("thead", {}, h("tr", {}, (sidebar ? ["status", "notebook", "description", "stages", "tasks", "time"] : ["status", "cell", "description", "stages", "tasks", "time", ""]).map((c) => h("th", {}, c)))),
            h(
              "tbody",
              {},
              rows.map((row) =>
                h(
                  "tr",
                  { className: "spc-job", "data-status": row.status, "data-operation": row.operation_id },
                  h("td", { className: "spc-job-status" }, row.status),
                  // The sidebar's rows are every notebook's: whose, by file name.
                  sidebar
                    ? h("td", { className: "spc-job-notebook", title: row.notebook || "" }, (row.notebook || "").split("/").pop())
                    : h("td", {}, row.cell),
                  h("td", { className: "spc-job-description", title: `operation ${row.operation_id}${row.spark_jobs.length ? `; Spark jobs ${row.spark_jobs.join(", ")}` : ""}` }, row.description),
                  h("td", {}, row.stages),
                  h("td", {}, row.running_tasks ? `${row.tasks} (${row.running_tasks} running)` : row.tasks),
                  h("td", {}, seconds(row.seconds)),
                  // The sidebar's jobs are every notebook's: it shows them, their notebooks cancel them.
                  sidebar
                    ? null
                    : h(
                        "td",
                        {},
                        row.status === "running"
                          ? h("button", { className: "spc-button spc-danger spc-job-cancel", onclick: () => cancel(row.operation_id) }, "Cancel")
                          : null,
                        ui.cancels[row.operation_id] ? h("div", { className: "spc-muted spc-cancel-said" }, ui.cancels[row.operation_id]) : null,
                      ),
                ),
              ),
            ),
          ),
        )
      : h("div", { className: "spc-muted" }, sidebar ? "No Spark jobs on the server yet." : "No Spark jobs in this notebook yet.");
    bodies.jobs.replaceChildren(table, ...(given.notes || []).map((note) => h("div", { className: "spc-note" }, note)));
  }

  // Spark UI -----------------------------------------------------------------------------------
  const uiLink = h("a", { className: "spc-ui-link", target: "_blank", rel: "noopener" }, "Open Spark UI ↗");
  const frameToggle = h("button", { className: "spc-button spc-ui-toggle", onclick: () => { ui.frame = !ui.frame; drawUi(); } });
  const uiNote = h("div", { className: "spc-muted" });
  const frameBox = h("div", { className: "spc-frame-box" });
  bodies.ui.append(h("div", { className: "spc-row-buttons" }, uiLink, frameToggle), uiNote, frameBox);

  function drawUi() {
    const url = server().ui_url || "";
    // Same origin only: the UI refuses to be framed by another origin (X-Frame-Options).
    const embeddable = url.startsWith("/");
    uiLink.hidden = !url;
    if (url && uiLink.getAttribute("href") !== url) uiLink.setAttribute("href", url);
    frameToggle.hidden = !embeddable;
    frameToggle.textContent = ui.frame ? "Hide embedded view" : "Show embedded view";
    uiNote.textContent = !url
      ? "The Spark UI is there while the server runs."
      : embeddable
        ? ""
        : "The embedded view needs the UI on JupyterLab's own address (jupyter-server-proxy); the link opens it.";
    const frame = frameBox.querySelector("iframe");
    if (ui.frame && embeddable) {
      if (!frame || frame.getAttribute("src") !== url) {
        frameBox.replaceChildren(h("iframe", { className: "spc-ui-frame", src: url, title: "Spark UI" }));
      }
    } else if (frame) frameBox.replaceChildren();
  }

  // Wiring -------------------------------------------------------------------------------------
  const draw = {
    server: () => { drawHead(); drawStatus(); drawUi(); if (ui.confirm) drawConfirm(); },
    busy: () => { drawHead(); drawChecks(); },
    kernel_busy: drawChecks,
    message: drawMessage,
    tab: () => { ui.tab = model.get("tab"); drawTabs(); },
    profiles: drawProfiles,
    profile: () => { drawProfiles(); },
    profiles_error: drawProfiles,
    known_keys: drawKeys,
    conf_rows: drawConf,
    conf_checks: drawChecks,
    conf_plan_html: drawConf,
    log: drawLogs,
    jobs: () => { drawJobs(); drawTabs(); },
  };
  for (const [name, fn] of Object.entries(draw)) model.on(`change:${name}`, fn);
  drawHead();
  drawConfirm();
  drawMessage();
  drawTabs();
  drawStatus();
  drawProfiles();
  drawKeys();
  drawConf();
  drawLogs();
  drawJobs();
  drawUi();

  // Presence: the kernel refreshes only while a view of the panel is visible.
  const presence = () => send({ type: "presence", view, visible: !document.hidden });
  presence();
  const timer = setInterval(() => { if (!document.hidden) presence(); }, PRESENCE_EVERY);
  document.addEventListener("visibilitychange", presence);
  return () => {
    clearInterval(timer);
    clearInterval(ticker);
    clearTimeout(checkTimer);
    clearTimeout(grepTimer);
    document.removeEventListener("visibilitychange", presence);
    for (const [name, fn] of Object.entries(draw)) model.off(`change:${name}`, fn);
    try {
      send({ type: "gone", view });
    } catch {
      // The model is closed already (a newer panel replaced it): nobody to tell.
    }
  };
}

export default { render };
