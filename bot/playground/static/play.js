// The playground's page: draws what the server renders and sends back what you do.
// Plain JavaScript, no build step; every action goes to the app as Slack would send it.
(() => {
  "use strict";
  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];
  const panes = ["home", "dm", "channel"];
  const labels = { dm: "Message Voice Coach", channel: "Message #team" };
  const last = {};
  let user = $("#who").value;
  let tab = "home";
  let modalKey = null;
  let opener = null;
  let seenNotices = 0;

  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user, ...body }),
    });
    const answer = await response.json();
    setTimeout(refresh, 50);
    setTimeout(refresh, 400);
    return answer;
  }

  function keyOf(el) {
    const ref = el.closest("[data-ref]");
    return {
      id: el.id || null,
      ref: ref ? ref.dataset.ref : null,
      block: el.dataset.block || null,
      action: el.dataset.action || null,
    };
  }

  function findKey(root, key) {
    if (key.id) return document.getElementById(key.id);
    return $$("[data-action]", root).find((el) => {
      const ref = el.closest("[data-ref]");
      return el.dataset.action === key.action && el.dataset.block === key.block &&
        ref && ref.dataset.ref === key.ref;
    });
  }

  function swap(id, html) {
    if (last[id] === html) return;
    last[id] = html;
    const el = $("#" + id);
    const focused = document.activeElement;
    const key = focused && el.contains(focused) ? keyOf(focused) : null;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    el.innerHTML = html;
    if (key) {
      const again = findKey(el, key);
      if (again) again.focus();
    }
    if (atBottom && id !== "home") el.scrollTop = el.scrollHeight;
  }

  function showModal(modal) {
    const layer = $("#modal-layer");
    if (!modal) {
      if (!layer.hidden) {
        layer.hidden = true;
        modalKey = null;
        if (opener && document.contains(opener)) opener.focus();
      }
      return;
    }
    const key = modal.id + " " + modal.hash;
    if (key === modalKey) return;
    if (layer.hidden) opener = document.activeElement;
    modalKey = key;
    $("#modal").innerHTML = modal.html;
    layer.hidden = false;
    const first = $("input, select, textarea, button", $("#modal"));
    if (first) first.focus();
  }

  function showNotices(notices) {
    const box = $("#notices");
    if (notices.length === seenNotices) return;
    seenNotices = notices.length;
    box.innerHTML = "";
    for (const text of notices.slice(-3)) {
      const p = document.createElement("p");
      p.className = "notice";
      p.setAttribute("role", "alert");
      p.textContent = text;
      box.appendChild(p);
    }
  }

  async function refresh() {
    let state;
    try {
      const response = await fetch("/play/state?user=" + encodeURIComponent(user));
      state = await response.json();
    } catch (e) {
      return;
    }
    $("#clock").textContent = state.clock;
    for (const pane of panes) swap(pane, state[pane]);
    showModal(state.modal);
    showNotices(state.notices);
  }

  function rawValue(el) {
    if (el.tagName === "FIELDSET") {
      const checked = $$("input:checked", el).map((i) => i.value);
      return $("input[type=checkbox]", el) ? checked : (checked[0] || null);
    }
    return el.value || null;
  }

  function collectState(root) {
    const state = {};
    for (const el of $$(".bk-input [data-action]", root)) {
      state[el.dataset.block] = state[el.dataset.block] || {};
      state[el.dataset.block][el.dataset.action] = rawValue(el);
    }
    return state;
  }

  function say(text) {
    const note = $("#compose-note");
    note.textContent = text || "";
    note.hidden = !text;
  }

  async function act(el, value) {
    const surface = el.closest("[data-ref]");
    const answer = await post("/play/act", {
      ref: JSON.parse(surface.dataset.ref),
      block_id: el.dataset.block,
      action_id: el.dataset.action,
      value,
      state: collectState(surface),
    });
    if (answer.notice) say(answer.notice);
  }

  function showTab(name) {
    tab = name;
    for (const pane of panes) $("#pane-" + pane).hidden = pane !== name;
    for (const button of $$(".tab")) {
      if (button.dataset.tab === name) button.setAttribute("aria-current", "page");
      else button.removeAttribute("aria-current");
    }
    const composer = $("#composer");
    composer.hidden = name === "home";
    if (name !== "home") $("#compose-label").textContent = labels[name];
    post("/play/tab", { tab: name === "home" ? "home" : "messages" });
  }

  function showErrors(form, errors) {
    for (const p of $$(".bk-error", form)) { p.hidden = true; p.textContent = ""; }
    for (const el of $$("[aria-invalid]", form)) el.removeAttribute("aria-invalid");
    let first = null;
    for (const [block, message] of Object.entries(errors)) {
      const box = $(`.bk-input[data-input="${CSS.escape(block)}"]`, form);
      if (!box) continue;
      const p = $(".bk-error", box);
      p.textContent = message;
      p.hidden = false;
      p.setAttribute("role", "alert");
      const control = $("[data-action]", box);
      if (control) control.setAttribute("aria-invalid", "true");
      first = first || $("input, select, textarea", box);
    }
    if (first) first.focus();
  }

  document.addEventListener("click", async (event) => {
    const el = event.target.closest("button");
    if (!el) return;
    if (el.dataset.tab) return showTab(el.dataset.tab);
    if (el.dataset.move) {
      const answer = await post("/play/clock", { how: el.dataset.move });
      if (answer.notice) say(answer.notice);
      return;
    }
    if (el.id === "reset") {
      await post("/play/reset", {});
      for (const pane of panes) last[pane] = null;
      seenNotices = 0;
      $("#notices").innerHTML = "";
      say("");
      showTab(tab);
      return;
    }
    if (el.hasAttribute("data-close")) {
      const form = el.closest("form");
      await post("/play/close", { view_id: form.dataset.view });
      return;
    }
    if (el.dataset.action !== undefined && el.type === "button") act(el, el.dataset.value || null);
  });

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target.id === "who") {
      user = target.value;
      for (const pane of panes) last[pane] = null;
      modalKey = null;
      showTab(tab);
      return;
    }
    const el = target.closest("[data-action]");
    if (!el || el.closest(".bk-input")) return; // inputs in a form wait for Submit
    act(el, rawValue(el));
  });

  document.addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    if (form.id === "composer") {
      const input = $("#compose");
      const channel = tab === "dm" ? "D" + user : "C0TEAM";
      const answer = await post("/play/command", { channel, text: input.value });
      say(answer.notice);
      if (!answer.notice) input.value = "";
      return;
    }
    if (form.dataset.view) {
      const answer = await post("/play/submit", {
        view_id: form.dataset.view,
        state: collectState(form),
      });
      showErrors(form, answer.errors || {});
      if (answer.notice) say(answer.notice);
    }
  });

  document.addEventListener("keydown", (event) => {
    const layer = $("#modal-layer");
    if (layer.hidden) return;
    if (event.key === "Escape") {
      const close = $("[data-close]", layer);
      if (close) close.click();
    }
    if (event.key === "Tab") {
      const focusable = $$("input, select, textarea, button, a[href]", layer)
        .filter((el) => !el.disabled);
      if (!focusable.length) return;
      const first = focusable[0], lastOne = focusable[focusable.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        lastOne.focus(); event.preventDefault();
      } else if (!event.shiftKey && document.activeElement === lastOne) {
        first.focus(); event.preventDefault();
      }
    }
  });

  showTab("home");
  refresh();
  setInterval(refresh, 700);
})();
