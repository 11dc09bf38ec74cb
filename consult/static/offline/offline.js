/* consult offline answering: the app on /c/<slug>/offline (issue 14).
 *
 * Loaded only by that page (never by the answering pages). It answers from the
 * bundle (/c/<slug>/offline/bundle.json): each page's questions come as HTML
 * rendered by the server's own form and template, in each content language; this
 * script only shows and hides them by the rules (window.ConsultRules, rules.js),
 * keeps what was typed, and steps from page to page.
 *
 * What is kept on the phone: the response in progress and each finished response,
 * in IndexedDB, each encrypted with AES-GCM (a fresh IV per record) under one
 * non-extractable key generated here and kept in IndexedDB as a CryptoKey object:
 * the person never sees or manages a key, and no script can read the key's bytes.
 * Nothing is kept in clear, and nothing in localStorage.
 *
 * Sending: when online (at start, on the "online" event, with "Send now"), each
 * finished response is posted with its own random token; the server stores it
 * exactly once and answers its receipt code (the same code for a retry).
 */
(function () {
  "use strict";

  var app = document.getElementById("offline-app");
  if (!app) { return; }
  var view = document.getElementById("offline-view");
  var statusBox = document.getElementById("offline-status");
  var pendingBox = document.getElementById("offline-pending");
  var receiptsBox = document.getElementById("offline-receipts");
  var sendButton = document.getElementById("offline-send");
  var slug = app.getAttribute("data-slug");
  var B = null; // the bundle
  var S = {}; // interface strings
  var current = null; // the response in progress
  var receipts = [];
  var sending = false;
  var DB_NAME = "consult-offline";

  app.hidden = false;

  function t(name) { return S[name] || ""; }

  function say(text) { statusBox.textContent = text; }

  // ---------------------------------------------------------------- storage
  var dbPromise = null;
  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          var db = request.result;
          db.createObjectStore("keys");
          db.createObjectStore("records", { keyPath: "id" });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return dbPromise;
  }

  function idb(store, mode, action) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode);
        var request = action(tx.objectStore(store));
        tx.oncomplete = function () { resolve(request ? request.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  var keyPromise = null;
  function cryptoKey() {
    if (!keyPromise) {
      keyPromise = idb("keys", "readonly", function (s) { return s.get("aes"); }).then(function (key) {
        if (key) { return key; }
        // Non-extractable: the key's bytes never leave WebCrypto; IndexedDB keeps the CryptoKey object itself.
        return crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]).then(function (made) {
          return idb("keys", "readwrite", function (s) { return s.put(made, "aes"); }).then(function () { return made; });
        });
      });
    }
    return keyPromise;
  }

  function seal(value) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    var plain = new TextEncoder().encode(JSON.stringify(value));
    return cryptoKey().then(function (key) {
      return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv }, key, plain);
    }).then(function (data) { return { iv: iv, data: data }; });
  }

  function unseal(record) {
    return cryptoKey().then(function (key) {
      return crypto.subtle.decrypt({ name: "AES-GCM", iv: record.iv }, key, record.data);
    }).then(function (plain) { return JSON.parse(new TextDecoder().decode(plain)); });
  }

  // A record says in clear only which consultation it belongs to and whether it is finished.
  function keep(kind, value) {
    return seal(value).then(function (sealed) {
      var record = { id: value.id, slug: slug, kind: kind, iv: sealed.iv, data: sealed.data };
      return idb("records", "readwrite", function (s) { return s.put(record); });
    });
  }

  function records(kind) {
    return idb("records", "readonly", function (s) { return s.getAll(); }).then(function (all) {
      return (all || []).filter(function (r) { return r.slug === slug && (!kind || r.kind === kind); });
    });
  }

  function drop(id) { return idb("records", "readwrite", function (s) { return s.delete(id); }); }

  // ---------------------------------------------------------------- helpers
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (attrs[name] !== null && attrs[name] !== undefined && attrs[name] !== false) { node.setAttribute(name, attrs[name]); }
    });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function format(text, params) {
    return String(text).replace(/%\((\w+)\)[sd]/g, function (whole, name) { return name in params ? params[name] : whole; });
  }

  function randomToken() {
    var bytes = crypto.getRandomValues(new Uint8Array(32));
    var text = "";
    for (var i = 0; i < bytes.length; i++) { text += String.fromCharCode(bytes[i]); }
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function keyOf(item) { return typeof item === "string" ? item : (item && item.key); }

  function group(code) { return B.groups.filter(function (g) { return g.code === code; })[0]; }
  function instrumentOf(resp) { return B.instruments[group(resp.group).instrument]; }
  function spec(resp) { return instrumentOf(resp).spec; }
  function settled(resp) { return group(resp.group).settled || []; }

  function answersOf(resp) {
    var answers = {};
    var g = group(resp.group);
    Object.keys(g.prefill || {}).forEach(function (k) { answers[k] = g.prefill[k]; });
    // In the instrument's order, each page read with the answers before it (as the server saves them).
    spec(resp).pages.forEach(function (page) {
      if (!resp.pages[page.key]) { return; }
      var values = ConsultRules.valuesFromForm(spec(resp), page.key, resp.pages[page.key], answers, settled(resp)) || {};
      Object.keys(values).forEach(function (k) { answers[k] = values[k]; });
    });
    return answers;
  }

  function isPage(resp, key) { return !!(key && instrumentOf(resp).fragments[resp.lang][key] !== undefined); }

  function pathKeys(resp) {
    var walked = ConsultRules.walk(spec(resp), answersOf(resp), settled(resp)) || {};
    return (walked.pages || []).map(keyOf);
  }

  function contentLangAttr(code) { return code === B.interface_language ? null : code; }

  var shown = 0; // how many views were shown: a view built asynchronously gives way to a newer one

  function show(nodes, ticket) {
    if (ticket !== undefined && ticket !== shown) { return; }
    shown++;
    view.textContent = "";
    nodes.forEach(function (n) { view.appendChild(n); });
    var heading = view.querySelector("h2");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  }

  function button(text, attrs, onClick) {
    var b = el("button", Object.assign({ type: "button" }, attrs || {}), text);
    if (onClick) { b.addEventListener("click", onClick); }
    return b;
  }

  function languageButtons(resp, onSwitch) {
    if (B.languages.length < 2) { return el("div"); }
    var box = el("fieldset", { "class": "switch" });
    box.appendChild(el("legend", {}, t("language")));
    B.languages.forEach(function (language) {
      if (language.code === resp.lang) {
        box.appendChild(el("span", { "class": "button secondary", lang: language.code, "aria-current": "true" }, language.name));
      } else {
        box.appendChild(button(language.name, { "class": "secondary", lang: language.code }, function () { onSwitch(language.code); }));
      }
    });
    return box;
  }

  // ---------------------------------------------------------------- the views
  function home() {
    current = null;
    var ticket = shown;
    records("draft").then(function (drafts) {
      var nodes = [el("h2", {}, drafts.length ? t("resume") : t("start"))];
      var actions = el("div", { "class": "actions" });
      if (drafts.length) {
        actions.appendChild(button(t("resume"), {}, function () {
          unseal(drafts[0]).then(function (resp) { current = resp; goTo(resp.at || "group"); });
        }));
        actions.appendChild(button(t("discard"), { "class": "secondary" }, function () {
          drop(drafts[0].id).then(home);
        }));
      } else {
        actions.appendChild(button(receipts.length || finishedCount ? t("start_another") : t("start"), { id: "offline-start" }, start));
      }
      nodes.push(actions);
      return records("done").then(function (done) {
        return Promise.all(done.map(unseal)).then(function (list) {
          list.forEach(function (resp) {
            if (resp.problem) {
              var box = el("div", { "class": "notice" });
              box.appendChild(el("p", {}, t("needs_checking")));
              box.appendChild(button(t("check"), { "class": "secondary" }, function () { reopen(resp); }));
              nodes.push(box);
            }
          });
          show(nodes, ticket);
        });
      });
    });
  }

  var finishedCount = 0;

  function start() {
    // The content language the person chose on the landing page (the page says it), else the fallback.
    var asked = app.getAttribute("data-lang");
    var lang = B.languages.some(function (l) { return l.code === asked; }) ? asked : B.fallback_language;
    current = { id: randomToken(), token: randomToken(), group: B.groups.length === 1 ? B.groups[0].code : null, lang: lang, pages: {}, at: "group" };
    goTo("group");
  }

  function reopen(resp) {
    current = resp;
    var pages = Object.keys((resp.problem && resp.problem.errors) || {});
    goTo(pages.length && isPage(resp, pages[0]) ? pages[0] : "review");
  }

  function save() {
    if (!current) { return Promise.resolve(); }
    return keep("draft", current);
  }

  function goTo(where) {
    current.at = where;
    save();
    if (where === "group") { return groupView(); }
    if (where === "review") { return reviewView(); }
    return pageView(where);
  }

  function groupView() {
    var resp = current;
    var form = el("form", { action: "#", novalidate: "novalidate" });
    var fieldset = el("fieldset");
    fieldset.appendChild(el("legend", {}, t("group_legend")));
    var choices = el("div", { "class": "choices" });
    B.groups.forEach(function (g, i) {
      var row = el("div", { "class": "choice" });
      var input = el("input", { type: "radio", name: "group_code", value: g.code, id: "offline-group-" + i });
      if (resp.group === g.code) { input.checked = true; }
      row.appendChild(input);
      row.appendChild(document.createTextNode(" "));
      row.appendChild(el("label", { "for": "offline-group-" + i }, g.label));
      choices.appendChild(row);
    });
    fieldset.appendChild(choices);
    var error = el("p", { "class": "error", id: "offline-group-error", role: "alert" });
    error.hidden = true;
    form.appendChild(fieldset);
    form.appendChild(error);
    var actions = el("div", { "class": "actions" });
    actions.appendChild(el("button", { type: "submit" }, t("continue")));
    actions.appendChild(button(t("back"), { "class": "secondary" }, function () { save().then(home); }));
    form.appendChild(actions);
    form.appendChild(languageButtons(resp, function (code) { resp.lang = code; goTo("group"); }));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = form.querySelector("input[name=group_code]:checked");
      if (!chosen) { error.textContent = t("choose_group"); error.hidden = false; return; }
      if (resp.group && resp.group !== chosen.value) { resp.pages = {}; }
      resp.group = chosen.value;
      var first = keyOf(ConsultRules.firstPage(spec(resp), answersOf(resp), settled(resp)));
      goTo(isPage(resp, first) ? first : "review");
    });
    show([el("h2", {}, t("group_heading")), form]);
  }

  function restore(form, entries) {
    Array.prototype.forEach.call(form.querySelectorAll("input[type=radio], input[type=checkbox]"), function (i) { i.checked = false; });
    (entries || []).forEach(function (pair) {
      var fields = form.querySelectorAll('[name="' + (window.CSS && CSS.escape ? CSS.escape(pair[0]) : pair[0]) + '"]');
      Array.prototype.forEach.call(fields, function (f) {
        if (f.type === "radio" || f.type === "checkbox") {
          if (f.value === pair[1]) { f.checked = true; }
        } else {
          f.value = pair[1];
        }
      });
    });
  }

  // The answers of every page but ``pageKey`` (what the page's rules and checks read it with).
  function otherAnswers(resp, pageKey) {
    var pages = Object.assign({}, resp.pages);
    pages[pageKey] = [];
    return answersOf(Object.assign({}, resp, { pages: pages }));
  }

  function questionOfField(resp, name) {
    return spec(resp).questions.filter(function (q) {
      return (q.fields || []).some(function (f) { return f.name === name; });
    })[0] || { key: name.replace(/^q-/, "").split("-")[0] };
  }

  // The type's message for an error code, in the interface language, its placeholders filled.
  function optionWords(wrapper, values) {
    var found = "";
    Array.prototype.forEach.call(wrapper ? wrapper.querySelectorAll("input:checked") : [], function (input) {
      var label = input.id && wrapper.querySelector('label[for="' + input.id + '"]');
      if (!found && label && (values || []).indexOf(input.value) !== -1) { found = label.textContent.trim(); }
    });
    return found;
  }

  function message(q, code, field, wrapper) {
    var text = (B.messages || {})[code] || (B.messages || {}).invalid || code;
    var count = field && typeof field.value === "string" ? Array.from(field.value.trim()).length : 0;
    return format(text, {
      n: code === "max_length" ? q.max_length : q.max_choices,
      count: count, min: q.min, max: q.max,
      option: optionWords(wrapper, q.exclusive), other: optionWords(wrapper, ["other"])
    });
  }

  // Errors next to their fields and in a summary on top, as the online page shows them; true if any.
  function showErrors(resp, form, box, errors) {
    Array.prototype.forEach.call(form.querySelectorAll(".offline-error"), function (n) { n.parentNode.removeChild(n); });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (n) { n.removeAttribute("aria-invalid"); });
    Array.prototype.forEach.call(form.querySelectorAll(".has-error"), function (n) { n.classList.remove("has-error"); });
    box.textContent = "";
    var names = Object.keys(errors);
    if (!names.length) { return false; }
    var summary = el("div", { "class": "error-summary", role: "alert" });
    summary.appendChild(el("h3", { tabindex: "-1" }, t("error_heading")));
    var list = el("ul");
    names.forEach(function (name) {
      var q = questionOfField(resp, name);
      var wrapper = form.querySelector('[data-question="' + q.key + '"]');
      var target = document.getElementById(name) || (wrapper && wrapper.querySelector('[name="' + name + '"]'));
      var firstInput = target && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName) ? target : (target && target.querySelector("input, select, textarea"));
      var text = errors[name].map(function (code) { return message(q, code, firstInput, wrapper); }).join(" ");
      var note = el("p", { "class": "error offline-error", id: name + "-offline-error" }, text);
      if (wrapper) { wrapper.classList.add("has-error"); }
      if (target && target.tagName === "FIELDSET") {
        var legend = target.querySelector("legend");
        target.insertBefore(note, legend ? legend.nextSibling : target.firstChild);
        target.setAttribute("aria-describedby", ((target.getAttribute("aria-describedby") || "") + " " + note.id).trim());
      } else if (target) {
        target.parentNode.insertBefore(note, target);
        target.setAttribute("aria-invalid", "true");
        target.setAttribute("aria-describedby", ((target.getAttribute("aria-describedby") || "") + " " + note.id).trim());
      } else if (wrapper) {
        wrapper.appendChild(note);
      }
      var words = wrapper && wrapper.querySelector("legend, label");
      var item = el("li");
      item.appendChild(el("a", { href: "#" + (firstInput && firstInput.id ? firstInput.id : name) }, words ? words.textContent.trim() : q.key));
      item.appendChild(document.createTextNode(": " + text));
      list.appendChild(item);
    });
    summary.appendChild(list);
    box.appendChild(summary);
    summary.querySelector("h3").focus();
    return true;
  }

  // Show the questions the rules ask, given the other pages' answers and what this page holds now.
  function applyRules(resp, pageKey, form) {
    var others = otherAnswers(resp, pageKey);
    var wrappers = form.querySelectorAll("[data-question]");
    var skip = settled(resp);
    for (var round = 0; round < 4; round++) {
      var values = ConsultRules.valuesFromForm(spec(resp), pageKey, Array.from(new FormData(form)), others, skip) || {};
      var answers = Object.assign({}, others, values);
      var visible = (ConsultRules.visibleQuestions(spec(resp), answers, pageKey, skip) || []).map(keyOf);
      var changed = false;
      Array.prototype.forEach.call(wrappers, function (w) {
        var key = w.getAttribute("data-question");
        var shown = visible.indexOf(key) !== -1 && skip.indexOf(key) === -1;
        if (w.hidden === shown) { changed = true; }
        w.hidden = !shown;
        // A hidden question's fields are disabled: the form data then holds only what is asked.
        Array.prototype.forEach.call(w.querySelectorAll("input, select, textarea"), function (f) { f.disabled = !shown; });
      });
      if (!changed) { break; }
    }
  }

  function pageView(pageKey) {
    var resp = current;
    var instrument = instrumentOf(resp);
    var keys = pathKeys(resp);
    var position = keys.indexOf(pageKey) + 1;
    var title = (instrument.page_titles[resp.lang] || {})[pageKey] || "";
    var nodes = [];
    nodes.push(el("p", { "class": "progress" }, format(t("page_of"), { n: Math.max(position, 1), total: Math.max(keys.length, 1) })));
    nodes.push(el("h2", { lang: contentLangAttr(resp.lang) }, title));
    var problems = resp.problem && resp.problem.errors && resp.problem.errors[pageKey];
    var summary = problems ? el("div", { "class": "error-summary", role: "alert" }) : null;
    if (summary) { nodes.push(summary); }
    var checkBox = el("div");
    nodes.push(checkBox);
    var form = el("form", { action: "#", novalidate: "novalidate", "data-page": pageKey });
    var questions = el("div");
    // The server's own rendering of the page's questions (same origin, escaped there).
    questions.innerHTML = instrument.fragments[resp.lang][pageKey];
    form.appendChild(questions);
    restore(form, resp.pages[pageKey]);
    applyRules(resp, pageKey, form);
    if (summary) {
      // What the server said, under each question's own words, linked to its field (as the online page does).
      summary.appendChild(el("h3", {}, t("error_heading")));
      var list = el("ul");
      Object.keys(problems).forEach(function (key) {
        var wrapper = form.querySelector('[data-question="' + key + '"]');
        var words = wrapper && wrapper.querySelector("legend, label");
        var field = wrapper && wrapper.querySelector("input, select, textarea");
        var item = el("li");
        var link = el("a", { href: field && field.id ? "#" + field.id : "#" }, words ? words.textContent.trim() : key);
        item.appendChild(link);
        item.appendChild(document.createTextNode(": " + problems[key].join(" ")));
        list.appendChild(item);
      });
      summary.appendChild(list);
    }
    form.addEventListener("change", function () { applyRules(resp, pageKey, form); });
    form.addEventListener("input", function () { applyRules(resp, pageKey, form); });
    function keepPage() { resp.pages[pageKey] = Array.from(new FormData(form)).map(function (p) { return [p[0], String(p[1])]; }); }
    var actions = el("div", { "class": "actions" });
    actions.appendChild(el("button", { type: "submit" }, t("continue")));
    actions.appendChild(button(t("back"), { "class": "secondary" }, function () {
      keepPage();
      var previous = keyOf(ConsultRules.previousPage(spec(resp), answersOf(resp), pageKey, settled(resp)));
      goTo(isPage(resp, previous) ? previous : "group");
    }));
    form.appendChild(actions);
    form.appendChild(languageButtons(resp, function (code) { keepPage(); resp.lang = code; goTo(pageKey); }));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      // The page checked as the server's page form would: nothing is kept that the server would refuse.
      var entries = Array.from(new FormData(form)).map(function (p) { return [p[0], String(p[1])]; });
      var read = ConsultRules.readPage(spec(resp), pageKey, entries, otherAnswers(resp, pageKey), settled(resp));
      if (showErrors(resp, form, checkBox, read.errors || {})) { return; }
      keepPage();
      var next = keyOf(ConsultRules.nextPage(spec(resp), answersOf(resp), pageKey, settled(resp)));
      goTo(isPage(resp, next) ? next : "review");
    });
    nodes.push(form);
    show(nodes);
  }

  // The answers of a page in words, read from the page's own HTML (the words the person saw).
  function answersInWords(resp, pageKey) {
    var holder = el("form", { action: "#" });
    holder.innerHTML = instrumentOf(resp).fragments[resp.lang][pageKey];
    restore(holder, resp.pages[pageKey]);
    applyRules(resp, pageKey, holder);
    var items = [];
    Array.prototype.forEach.call(holder.querySelectorAll("[data-question]"), function (wrapper) {
      if (wrapper.hidden || wrapper.classList.contains("q-info")) { return; }
      var words = [];
      Array.prototype.forEach.call(wrapper.querySelectorAll("input:checked"), function (input) {
        var label = input.id && wrapper.querySelector('label[for="' + input.id + '"]');
        var part = input.closest("fieldset.part");
        var partLegend = part && part.querySelector("legend");
        var text = label ? label.textContent.trim() : input.value;
        words.push(partLegend ? partLegend.textContent.trim() + ": " + text : text);
      });
      Array.prototype.forEach.call(wrapper.querySelectorAll("select"), function (select) {
        if (select.value && select.selectedIndex >= 0) { words.push(select.options[select.selectedIndex].text.trim()); }
      });
      Array.prototype.forEach.call(wrapper.querySelectorAll("textarea, input:not([type=radio]):not([type=checkbox]):not([type=hidden])"), function (input) {
        if (input.value.trim()) { words.push(input.value.trim()); }
      });
      if (words.length) {
        var question = wrapper.querySelector("legend, label");
        var clone = question ? question.cloneNode(true) : null;
        Array.prototype.forEach.call(clone ? clone.querySelectorAll(".req") : [], function (n) { n.parentNode.removeChild(n); });
        items.push([clone ? clone.textContent.trim() : wrapper.getAttribute("data-question"), words.join("; ")]);
      }
    });
    return items;
  }

  function reviewView() {
    var resp = current;
    var nodes = [el("h2", {}, t("review_heading")), el("p", {}, t("review_text"))];
    var titles = instrumentOf(resp).page_titles[resp.lang] || {};
    pathKeys(resp).forEach(function (pageKey) {
      var items = answersInWords(resp, pageKey);
      if (!items.length) { return; }
      var section = el("section", { "class": "review-page" });
      section.appendChild(el("h3", { lang: contentLangAttr(resp.lang) }, titles[pageKey] || ""));
      var list = el("dl");
      items.forEach(function (item) {
        list.appendChild(el("dt", { lang: contentLangAttr(resp.lang) }, item[0]));
        list.appendChild(el("dd", { lang: contentLangAttr(resp.lang) }, item[1]));
      });
      section.appendChild(list);
      section.appendChild(button(t("change"), { "class": "secondary", "data-change": pageKey }, function () { goTo(pageKey); }));
      nodes.push(section);
    });
    var actions = el("div", { "class": "actions" });
    actions.appendChild(button(t("finish"), { id: "offline-finish" }, function () {
      var done = { id: resp.id, token: resp.token, group_code: resp.group, language: resp.lang, pages: resp.pages, group: resp.group, lang: resp.lang, at: "review" };
      // The finished response replaces the one in progress (same id): never both.
      keep("done", done).then(function () {
        current = null;
        finishedCount++;
        say(t("finished"));
        return countPending();
      }).then(function () { home(); sendAll(); });
    }));
    actions.appendChild(button(t("back"), { "class": "secondary" }, function () {
      var keys = pathKeys(resp);
      goTo(keys.length ? keys[keys.length - 1] : "group");
    }));
    nodes.push(actions);
    show(nodes);
  }

  // ---------------------------------------------------------------- sending
  function countPending() {
    return records("done").then(function (done) {
      var n = done.length;
      pendingBox.textContent = n === 0 ? t("nothing_waiting") : (S.waiting && S.waiting[String(n)]) || format(t("waiting_many"), { num: n });
      sendButton.hidden = n === 0;
      return n;
    });
  }

  function codeGroups(code) {
    var p = el("p", { "class": "code receipt" });
    code.split("-").forEach(function (part, i, all) {
      p.appendChild(el("span", { "class": "code-group" }, part + (i < all.length - 1 ? "-" : "")));
    });
    return p;
  }

  function showReceipts() {
    receiptsBox.textContent = "";
    if (!receipts.length) { return; }
    receiptsBox.appendChild(el("h2", {}, t("receipts_heading")));
    receiptsBox.appendChild(el("p", {}, t("sent")));
    receipts.forEach(function (code) { receiptsBox.appendChild(codeGroups(code)); });
  }

  function sendAll() {
    if (sending || !B) { return Promise.resolve(); }
    if (!navigator.onLine) { say(t("offline")); return countPending(); }
    sending = true;
    var csrf = null;
    function token() {
      if (csrf) { return Promise.resolve(csrf); }
      return fetch(B.urls.token, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
        if (!r.ok) { throw new Error("token"); }
        return r.json();
      }).then(function (j) { csrf = j.csrf_token; return csrf; });
    }
    function one(record) {
      return unseal(record).then(function (resp) {
        var payload = { token: resp.token, group_code: resp.group_code, language: resp.language, pages: resp.pages };
        return token().then(function (value) {
          return fetch(B.urls.responses, {
            method: "POST",
            credentials: "same-origin",
            cache: "no-store",
            headers: { "Content-Type": "application/json", "X-CSRFToken": value },
            body: JSON.stringify(payload)
          });
        }).then(function (r) {
          return r.json().catch(function () { return {}; }).then(function (body) {
            if (r.ok && body.receipt_code) {
              receipts.push(body.receipt_code);
              showReceipts();
              return drop(record.id);
            }
            if (r.status === 422) {
              resp.problem = { errors: body.errors || {}, error: body.error };
              say(t("needs_checking"));
              return keep("done", resp);
            }
            if (r.status === 400) { csrf = null; }  // an expired token: a fresh one next time
            say(format(t("refused"), { reason: body.error || r.status }));
          });
        });
      });
    }
    say(t("sending"));
    return records("done").then(function (done) {
      var chain = Promise.resolve();
      done.forEach(function (record) { chain = chain.then(function () { return one(record); }); });
      return chain;
    }).then(function () {
      if (statusBox.textContent === t("sending")) { say(receipts.length ? t("sent") : t("ready")); }
    }).catch(function () {
      say(t("offline"));  // the network failed: every response not sent is still on the phone
    }).then(function () {
      sending = false;
      return countPending();
    }).then(function () {
      if (!current) { home(); }
    });
  }

  // ---------------------------------------------------------------- start
  function registerWorker() {
    if (!("serviceWorker" in navigator)) { return Promise.resolve(); }
    return navigator.serviceWorker.register(app.getAttribute("data-worker"), { scope: app.getAttribute("data-scope") })
      .then(function () { return navigator.serviceWorker.ready; })
      .catch(function () {});
  }

  if (!window.indexedDB || !window.crypto || !crypto.subtle || !window.ConsultRules) {
    fetch(app.getAttribute("data-bundle")).then(function (r) { return r.json(); }).then(function (b) {
      say(b.strings.no_storage);
    }).catch(function () {});
    return;
  }

  sendButton.addEventListener("click", function () { sendAll(); });
  window.addEventListener("online", function () { sendAll(); });
  // A phone may be "online" with a network that does not reach the server: try again now and then.
  setInterval(function () {
    if (navigator.onLine && B) { records("done").then(function (done) { if (done.length) { sendAll(); } }); }
  }, 60000);
  window.addEventListener("offline", function () { say(t("offline")); });

  fetch(app.getAttribute("data-bundle"), { credentials: "same-origin" }).then(function (r) {
    if (!r.ok) { throw new Error("bundle"); }
    return r.json();
  }).then(function (bundle) {
    B = bundle;
    S = bundle.strings || {};
    sendButton.textContent = t("send_now");
    return Promise.all([countPending(), cryptoKey()]);
  }).then(function () {
    home();
    return registerWorker();
  }).then(function () {
    app.setAttribute("data-ready", "true");
    if (navigator.onLine) { return sendAll(); }
    say(t("offline"));
  }).catch(function () {
    // No bundle (never opened with a connection): the page's own words say so.
    var failed = document.getElementById("offline-failed");
    if (failed && !B) { failed.hidden = false; }
  });
})();
