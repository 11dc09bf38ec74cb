/*
 * ConsultRules: the survey engine's rules, path finder and page reading, in the browser.
 *
 * It does what the server does (consult/surveys/rules.py, paths.py, forms.py and the question
 * types in consult/surveys/types/), from the description consult.surveys.offline_spec.offline_spec
 * gives of an instrument. tests/surveys/test_offline_rules_parity.py runs both on the same cases.
 *
 * Plain ES2019, no dependencies, no build step: loaded by a <script> tag (window.ConsultRules)
 * or by node (module.exports).
 */
(function (root) {
  "use strict";

  // The value of an unanswered question, distinct from every literal (null included).
  var MISSING = { missing: true };
  var OTHER = "other";

  // --- Python's notions of whitespace and digits (str.isspace, re's \d on str) ------------------

  // Every character Python's str.isspace() accepts (Unicode 14, as the server's Python 3.11).
  var PY_SPACE = "\t\n\u000b\u000c\r\u001c\u001d\u001e\u001f \u0085\u00a0\u1680\u2000\u2001\u2002\u2003" +
    "\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";
  // Runs of decimal digits (code point of 0, length) that Python's \d, int() and float() accept.
  var DIGIT_RUNS = [[0x30, 10], [0x660, 10], [0x6f0, 10], [0x7c0, 10], [0x966, 10], [0x9e6, 10], [0xa66, 10],
    [0xae6, 10], [0xb66, 10], [0xbe6, 10], [0xc66, 10], [0xce6, 10], [0xd66, 10], [0xde6, 10], [0xe50, 10],
    [0xed0, 10], [0xf20, 10], [0x1040, 10], [0x1090, 10], [0x17e0, 10], [0x1810, 10], [0x1946, 10],
    [0x19d0, 10], [0x1a80, 10], [0x1a90, 10], [0x1b50, 10], [0x1bb0, 10], [0x1c40, 10], [0x1c50, 10],
    [0xa620, 10], [0xa8d0, 10], [0xa900, 10], [0xa9d0, 10], [0xa9f0, 10], [0xaa50, 10], [0xabf0, 10],
    [0xff10, 10], [0x104a0, 10], [0x10d30, 10], [0x11066, 10], [0x110f0, 10], [0x11136, 10], [0x111d0, 10],
    [0x112f0, 10], [0x11450, 10], [0x114d0, 10], [0x11650, 10], [0x116c0, 10], [0x11730, 10], [0x118e0, 10],
    [0x11950, 10], [0x11c50, 10], [0x11d50, 10], [0x11da0, 10], [0x16a60, 10], [0x16ac0, 10], [0x16b50, 10],
    [0x1d7ce, 50], [0x1e140, 10], [0x1e2f0, 10], [0x1e950, 10], [0x1fbf0, 10]];

  function isPySpace(ch) {
    return PY_SPACE.indexOf(ch) >= 0;
  }

  // str.strip() as Python does it (JS trim() knows another set of spaces).
  function pyStrip(text) {
    var start = 0;
    var end = text.length;
    while (start < end && isPySpace(text.charAt(start))) start += 1;
    while (end > start && isPySpace(text.charAt(end - 1))) end -= 1;
    return text.slice(start, end);
  }

  // Characters (code points), as Python counts and slices a str.
  function codePoints(text) {
    return Array.from(text);
  }

  // The text with every Python decimal digit written as an ASCII digit.
  function asciiDigits(text) {
    var out = "";
    var chars = codePoints(text);
    for (var i = 0; i < chars.length; i += 1) {
      var code = chars[i].codePointAt(0);
      var found = null;
      if (code >= 0x660) {
        for (var r = 1; r < DIGIT_RUNS.length; r += 1) {
          var run = DIGIT_RUNS[r];
          if (code >= run[0] && code < run[0] + run[1]) {
            found = String((code - run[0]) % 10);
            break;
          }
        }
      }
      out += found === null ? chars[i] : found;
    }
    return out;
  }

  // --- rules (consult/surveys/rules.py) ---------------------------------------------------------

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  /** Whether a stored value counts as an answer (not empty text, list or object). */
  function isAnswered(value) {
    if (value === null || value === undefined || value === MISSING) return false;
    if (typeof value === "string") return pyStrip(value).length > 0;
    if (Array.isArray(value)) return value.length > 0;
    if (isObject(value)) return Object.keys(value).length > 0;
    return true;
  }

  /** The option code(s) of a choice answer ({"option": ...} / {"options": [...]}); others unchanged. */
  function choiceCodes(value) {
    if (isObject(value)) {
      if (has(value, "option")) return value.option;
      if (has(value, "options")) return Array.isArray(value.options) ? value.options.slice() : value.options;
    }
    return value;
  }

  function isReference(argument) {
    return isObject(argument) && has(argument, "answer");
  }

  function resolve(argument, answers) {
    if (isReference(argument)) {
      var key = argument.answer;
      if (typeof key !== "string") throw new Error("an answer reference needs a question key");
      var value = answers && has(answers, key) ? answers[key] : MISSING;
      if (!isAnswered(value)) return MISSING;
      var part = has(argument, "part") ? argument.part : null;
      if (part === null || part === undefined) return choiceCodes(value);
      if (!isObject(value)) return MISSING;
      value = has(value, part) ? value[part] : MISSING;
      return isAnswered(value) ? value : MISSING;
    }
    if (isObject(argument)) throw new Error("an argument object must be an answer reference");
    return argument;
  }

  function asNumber(value) {
    // Python's _number: an int or float, not a bool, not NaN.
    return typeof value === "number" && !isNaN(value) ? value : null;
  }

  var ISO_DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

  // datetime.date.fromisoformat("YYYY-MM-DD") succeeds (ASCII digits, a real day, year >= 1).
  function isRealIsoDate(text) {
    if (!ISO_DATE.test(text)) return false;
    var year = parseInt(text.slice(0, 4), 10);
    var month = parseInt(text.slice(5, 7), 10);
    var day = parseInt(text.slice(8, 10), 10);
    return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
  }

  function daysIn(year, month) {
    if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
    return [4, 6, 9, 11].indexOf(month) >= 0 ? 30 : 31;
  }

  // Two numbers, or two ISO dates (which compare as their text); else null.
  function comparable(a, b) {
    var na = asNumber(a);
    var nb = asNumber(b);
    if (na !== null && nb !== null) return [na, nb];
    // Python's regex "^\d{4}-\d{2}-\d{2}$" lets other digits and a final newline through, but
    // date.fromisoformat then refuses them: only real ASCII dates compare.
    if (typeof a === "string" && typeof b === "string" && isRealIsoDate(a) && isRealIsoDate(b)) return [a, b];
    return null;
  }

  // Python's == on JSON values (True == 1 and 1 == 1.0 inside lists and dicts too).
  function pyEq(a, b) {
    var sa = typeof a === "number" || typeof a === "boolean";
    var sb = typeof b === "number" || typeof b === "boolean";
    if (sa && sb) return Number(a) === Number(b);
    if (a === null || b === null) return a === b;
    if (typeof a === "string" || typeof b === "string") return a === b;
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) return false;
      for (var i = 0; i < a.length; i += 1) if (!pyEq(a[i], b[i])) return false;
      return true;
    }
    if (isObject(a) && isObject(b)) {
      var ka = Object.keys(a);
      if (ka.length !== Object.keys(b).length) return false;
      for (var j = 0; j < ka.length; j += 1) if (!has(b, ka[j]) || !pyEq(a[ka[j]], b[ka[j]])) return false;
      return true;
    }
    return false;
  }

  // A stand-in for Python's repr(): equal exactly when the reprs are (integral numbers read as ints).
  function reprKey(value) {
    if (value === null || value === undefined) return "None";
    if (typeof value === "boolean") return value ? "True" : "False";
    if (typeof value === "number") return "n" + String(value);
    if (typeof value === "string") return "s" + JSON.stringify(value);
    if (Array.isArray(value)) return "[" + value.map(reprKey).join(",") + "]";
    return "{" + Object.keys(value).map(function (k) {
      return JSON.stringify(k) + ":" + reprKey(value[k]);
    }).join(",") + "}";
  }

  function typeName(value) {
    if (value === null) return "null";
    if (Array.isArray(value)) return "list";
    return typeof value;
  }

  function equal(a, b) {
    if (a === MISSING || b === MISSING) return false;
    var na = asNumber(a);
    var nb = asNumber(b);
    if (na !== null && nb !== null) return na === nb;
    if (Array.isArray(a) && Array.isArray(b)) {
      var ra = a.map(reprKey).sort();
      var rb = b.map(reprKey).sort();
      if (ra.length !== rb.length) return false;
      for (var i = 0; i < ra.length; i += 1) if (ra[i] !== rb[i]) return false;
      return true;
    }
    // type(a) is type(b) and a == b: a number here is NaN (never equal), so only these remain.
    return typeName(a) === typeName(b) && typeName(a) !== "number" && pyEq(a, b);
  }

  function asList(value) {
    return Array.isArray(value) ? value : [value];
  }

  function compare(test) {
    return function (a, b) {
      var pair = comparable(a, b);
      return pair !== null && test(pair[0], pair[1]);
    };
  }

  // name -> [number of value arguments, function]; and/or/not take conditions instead.
  var VALUE_OPERATORS = {
    "==": [2, function (a, b) { return equal(a, b); }],
    "!=": [2, function (a, b) { return a !== MISSING && b !== MISSING && !equal(a, b); }],
    "in": [2, function (a, b) {
      if (a === MISSING || b === MISSING || !Array.isArray(b)) return false;
      return b.some(function (item) { return equal(a, item); });
    }],
    "any-in": [2, function (a, b) {
      if (a === MISSING || b === MISSING) return false;
      var right = asList(b);
      return asList(a).some(function (x) { return right.some(function (y) { return equal(x, y); }); });
    }],
    "all-in": [2, function (a, b) {
      if (a === MISSING || b === MISSING) return false;
      var left = asList(a);
      var required = asList(b);
      return required.length > 0 && required.every(function (y) {
        return left.some(function (x) { return equal(x, y); });
      });
    }],
    ">": [2, compare(function (a, b) { return a > b; })],
    "<": [2, compare(function (a, b) { return a < b; })],
    ">=": [2, compare(function (a, b) { return a >= b; })],
    "<=": [2, compare(function (a, b) { return a <= b; })],
    "answered": [1, function (a) { return a !== MISSING; }],
    "not-answered": [1, function (a) { return a === MISSING; }]
  };
  var LOGICAL = { and: true, or: true, not: true };

  function split(condition) {
    if (!isObject(condition) || Object.keys(condition).length !== 1) {
      throw new Error("a condition is an object with exactly one operator");
    }
    var operator = Object.keys(condition)[0];
    if (!has(VALUE_OPERATORS, operator) && !has(LOGICAL, operator)) throw new Error("unknown operator " + operator);
    var args = condition[operator];
    args = Array.isArray(args) ? args : [args];
    if (has(VALUE_OPERATORS, operator) && args.length !== VALUE_OPERATORS[operator][0]) {
      throw new Error(operator + " takes " + VALUE_OPERATORS[operator][0] + " argument(s)");
    }
    if (operator === "not" && args.length !== 1) throw new Error("'not' takes one condition");
    return [operator, args];
  }

  /**
   * Whether `condition` holds for `answers` ({question key: value}); null/undefined always holds.
   * A malformed condition throws, as rules.evaluate raises RuleError (validation refuses them).
   */
  function evaluate(condition, answers) {
    if (condition === null || condition === undefined) return true;
    var parts = split(condition);
    var operator = parts[0];
    var args = parts[1];
    if (operator === "and") return args.every(function (c) { return evaluate(c, answers); });
    if (operator === "or") return args.some(function (c) { return evaluate(c, answers); });
    if (operator === "not") return !evaluate(args[0], answers);
    var values = args.map(function (a) { return resolve(a, answers || {}); });
    return Boolean(VALUE_OPERATORS[operator][1].apply(null, values));
  }

  // --- the instrument description ---------------------------------------------------------------

  // Lookups built once per spec object (kept beside it, not inside it: the spec stays plain JSON).
  var indexes = typeof WeakMap === "function" ? new WeakMap() : null;

  function indexOf(spec) {
    var found = indexes ? indexes.get(spec) : null;
    if (found) return found;
    var questions = {};
    var pages = {};
    spec.questions.forEach(function (q) { questions[q.key] = q; });
    spec.pages.forEach(function (p, i) {
      pages[p.key] = { page: p, index: i, questions: p.questions.map(function (k) { return questions[k]; }) };
    });
    found = { questions: questions, pages: pages };
    if (indexes) indexes.set(spec, found);
    return found;
  }

  function settledSet(settled) {
    var set = {};
    (settled || []).forEach(function (key) { set[key] = true; });
    return set;
  }

  // --- the path finder (consult/surveys/paths.py) -----------------------------------------------

  function route(page, counted) {
    var routing = page.routing || [];
    for (var i = 0; i < routing.length; i += 1) {
      if (evaluate(routing[i].when, counted)) return routing[i].goto;
    }
    return null;
  }

  // paths.walk: the page keys on the path and the answers that count.
  function replay(spec, answers, settled) {
    var idx = indexOf(spec);
    var isSettled = settledSet(settled);
    answers = answers || {};
    var counted = {};
    var onPath = [];
    var pages = spec.pages;
    var index = 0;
    var steps = 0;
    while (index < pages.length && steps <= pages.length) {
      steps += 1;
      var page = pages[index];
      if (!evaluate(page.when, counted)) {
        index += 1;
        continue;
      }
      var showsSomething = false;
      var questions = idx.pages[page.key].questions;
      for (var i = 0; i < questions.length; i += 1) {
        var q = questions[i];
        if (evaluate(q.when, counted)) {
          showsSomething = showsSomething || !isSettled[q.key];
          if (has(answers, q.key) && isAnswered(answers[q.key])) counted[q.key] = answers[q.key];
        }
      }
      if (showsSomething) onPath.push(page.key);
      var target = route(page, counted);
      if (target === "end") break;
      if (target === null || target === undefined || !has(idx.pages, target)) {
        index += 1;
      } else {
        var next = idx.pages[target].index;
        index = next > index ? next : index + 1;
      }
    }
    return { pages: onPath, answers: counted };
  }

  /** The pages on the path, in order: {pages: [pageKey, ...]} (paths.walk / path_pages). */
  function walk(spec, answers, settled) {
    return { pages: replay(spec, answers, settled).pages };
  }

  /** Only the answers that count (paths.on_path_answers). */
  function onPathAnswers(spec, answers) {
    return replay(spec, answers, []).answers;
  }

  /** The first page on the path, or null. */
  function firstPage(spec, answers, settled) {
    var pages = replay(spec, answers, settled).pages;
    return pages.length ? pages[0] : null;
  }

  function pageIndex(spec, key) {
    var entry = indexOf(spec).pages[key];
    if (!entry) throw new Error("no page " + key);
    return entry.index;
  }

  /** The page after `pageKey` on the path (answers including the current page's), or null at the end. */
  function nextPage(spec, answers, pageKey, settled) {
    var pages = replay(spec, answers, settled).pages;
    var current = pageIndex(spec, pageKey);
    var position = pages.indexOf(pageKey);
    if (position >= 0) return position + 1 < pages.length ? pages[position + 1] : null;
    for (var i = 0; i < pages.length; i += 1) if (pageIndex(spec, pages[i]) > current) return pages[i];
    return null;
  }

  /** The page before `pageKey` on the path, or null on the first page. */
  function previousPage(spec, answers, pageKey, settled) {
    var pages = replay(spec, answers, settled).pages;
    var current = pageIndex(spec, pageKey);
    var before = pages.filter(function (key) { return pageIndex(spec, key) < current; });
    return before.length ? before[before.length - 1] : null;
  }

  /** The last page on the path (where "back" from the review goes), or null. */
  function lastPage(spec, answers, settled) {
    var pages = replay(spec, answers, settled).pages;
    return pages.length ? pages[pages.length - 1] : null;
  }

  // paths.visible_questions over a list of the page's questions (the page as asked may leave settled ones out).
  function visibleAmong(spec, questions, answers, isSettled) {
    if (!questions.length) return [];
    answers = answers || {};
    var idx = indexOf(spec);
    var first = questions[0].index;
    var counted = replay(spec, answers, []).answers;
    var known = {};
    Object.keys(counted).forEach(function (key) {
      if (idx.questions[key].index < first) known[key] = counted[key];
    });
    var visible = [];
    questions.forEach(function (q) {
      if (evaluate(q.when, known)) {
        if (!isSettled[q.key]) visible.push(q);
        var value = has(answers, q.key) ? answers[q.key] : undefined;
        if (isAnswered(value)) known[q.key] = value;
      }
    });
    return visible;
  }

  /** The keys of the questions of `pageKey` shown for `answers` (paths.visible_questions). */
  function visibleQuestions(spec, answers, pageKey, settled) {
    var entry = indexOf(spec).pages[pageKey];
    if (!entry) throw new Error("no page " + pageKey);
    return visibleAmong(spec, entry.questions, answers, settledSet(settled)).map(function (q) { return q.key; });
  }

  // --- reading a page's form (consult/surveys/forms.py and types/*.py) --------------------------

  // What the server receives: a form post writes every line break as CRLF.
  function wireText(value) {
    return String(value).replace(/\r\n|\r|\n/g, "\r\n");
  }

  function cleanText(value) {
    return typeof value === "string" ? pyStrip(value) : "";
  }

  function formatNumber(value) {
    // format_number: a stored number as a person types it.
    return value === null || value === undefined ? "" : String(value);
  }

  // QuestionType.form_data: what a field shows of a stored answer (the field's value when the
  // browser sent nothing for it, as WTForms keeps a field's default).
  function formDefaults(q, value) {
    var data = {};
    var name = "q-" + q.key;
    if (value === null || value === undefined) return data;
    var codes = storedCodes(value);
    switch (q.parse) {
      case "single":
        data[name] = codes[0].length ? codes[0][0] : null;
        if (q.has_other) data[name + "-other"] = codes[1] || "";
        break;
      case "multiple":
        data[name] = codes[0];
        if (q.has_other) data[name + "-other"] = codes[1] || "";
        break;
      case "scale":
        data[name] = String(value);
        break;
      case "number":
        data[name] = formatNumber(value);
        break;
      case "text":
      case "date":
        data[name] = value || "";
        break;
      case "date_range":
      case "territory":
        var parts = q.parse === "date_range" ? ["start", "end"] : ["area", "locality"];
        parts.forEach(function (p) { data[name + "-" + p] = (isObject(value) && value[p]) || ""; });
        break;
      case "rated":
        q.parts.forEach(function (pair) {
          var v = isObject(value) && has(value, pair[0]) ? value[pair[0]] : null;
          data[name + "-" + pair[0]] = v === null || v === undefined ? null : String(v);
        });
        break;
      default:
        break;
    }
    return data;
  }

  function storedCodes(value) {
    // _Choosing._codes: the codes and the "other" text of a stored choice.
    if (isObject(value)) {
      var codes = has(value, "options") ? value.options : [value.option];
      return [(codes || []).filter(function (c) { return typeof c === "string"; }), value.other || null];
    }
    if (typeof value === "string") return [[value], null];
    if (Array.isArray(value)) return [value.filter(function (c) { return typeof c === "string"; }), null];
    return [[], null];
  }

  // {field name: data} of one question as WTForms gives it to the type's parse().
  function fieldData(q, byName, stored) {
    var defaults = formDefaults(q, stored);
    var data = {};
    q.fields.forEach(function (field) {
      var sent = has(byName, field.name) ? byName[field.name] : null;
      if (field.widget === "checkbox") {
        data[field.name] = sent ? sent.slice() : [];
      } else if (sent && sent.length) {
        data[field.name] = sent[0];
      } else {
        data[field.name] = has(defaults, field.name) ? defaults[field.name] : null;
      }
    });
    return data;
  }

  function get(data, name) {
    return has(data, name) ? data[name] : null;
  }

  function orNull(value) {
    // Python's `value or None` on a field's data.
    return value === "" || value === null || value === undefined ||
      (Array.isArray(value) && value.length === 0) ? null : value;
  }

  function Parsed() {
    this.value = null;
    this.errors = {};
  }
  Parsed.prototype.error = function (name, code) {
    (this.errors[name] = this.errors[name] || []).push(code);
  };
  Parsed.prototype.hasErrors = function () {
    return Object.keys(this.errors).length > 0;
  };

  function required(q, parsed) {
    if (q.required && parsed.value === null && !parsed.hasErrors()) parsed.error("q-" + q.key, "required");
    return parsed;
  }

  function firstChars(text, n) {
    return codePoints(text).slice(0, n).join("");
  }

  function parseNumber(text, decimal) {
    // simple.parse_number, Python digits and spaces included.
    var t = "";
    var chars = codePoints(asciiDigits(text));
    for (var i = 0; i < chars.length; i += 1) if (!isPySpace(chars[i])) t += chars[i];
    if (/^[+-]?[0-9]{1,3}([.,][0-9]{3})+$/.test(t) && !decimal) {
      t = t.replace(/[.,]/g, "");
    } else if (t.indexOf(",") >= 0 && t.indexOf(".") >= 0) {
      t = t.lastIndexOf(",") > t.lastIndexOf(".") ? t.replace(/\./g, "").replace(/,/g, ".") : t.replace(/,/g, "");
    } else {
      t = t.replace(/,/g, ".");
    }
    if (!/^[+-]?[0-9]+(\.[0-9]+)?$/.test(t)) return null;
    var number;
    if (decimal) {
      number = parseFloat(t);
    } else if (/^[+-]?[0-9]+(\.0+)?$/.test(t)) {
      number = parseInt(t.split(".")[0], 10);
      if (number === 0) number = 0; // no -0
    } else {
      return null;
    }
    return Math.abs(number) < 1e12 ? number : null;
  }

  function parseDate(text) {
    // simple.parse_date: 2026-03-01, or 1/3/2026 day first; a year from 1900.
    text = pyStrip(text);
    var ascii = asciiDigits(text);
    var year;
    var month;
    var day;
    if (/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(ascii)) {
      // date.fromisoformat takes ASCII digits only.
      if (ascii !== text || !isRealIsoDate(text)) return null;
      year = parseInt(text.slice(0, 4), 10);
      month = parseInt(text.slice(5, 7), 10);
      day = parseInt(text.slice(8, 10), 10);
    } else {
      var match = /^([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})$/.exec(ascii);
      if (!match) return null;
      day = parseInt(match[1], 10);
      month = parseInt(match[2], 10);
      year = parseInt(match[3], 10);
      if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
    }
    if (year < 1900) return null;
    return String(year) + "-" + pad(month) + "-" + pad(day);
  }

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  function parseOneDate(q, name, data, parsed) {
    var text = cleanText(get(data, name));
    if (!text) return null;
    var day = parseDate(text);
    if (day === null) {
      parsed.error(name, "date");
      return null;
    }
    if (q.min && day < q.min) {
      parsed.error(name, "date_min");
      return null;
    }
    if (q.max && day > q.max) {
      parsed.error(name, "date_max");
      return null;
    }
    return day;
  }

  var PARSERS = {
    none: function () {
      return new Parsed();
    },
    single: function (q, data) {
      var name = "q-" + q.key;
      var chosen = orNull(get(data, name));
      var other = q.has_other ? cleanText(get(data, name + "-other")) : "";
      var parsed = new Parsed();
      if (chosen !== null && q.allowed.indexOf(chosen) < 0) {
        parsed.error(name, "invalid");
        return parsed;
      }
      if (other && chosen !== null && chosen !== OTHER) {
        parsed.error(name + "-other", "other");
        return parsed;
      }
      parsed.value = other ? { option: OTHER, other: firstChars(other, 200) } : chosen;
      return required(q, parsed);
    },
    multiple: function (q, data) {
      var name = "q-" + q.key;
      var raw = orNull(get(data, name)) || [];
      var chosen = typeof raw === "string" ? [raw] : raw.filter(function (c) { return typeof c === "string"; });
      var other = q.has_other ? cleanText(get(data, name + "-other")) : "";
      var parsed = new Parsed();
      if (chosen.some(function (c) { return q.allowed.indexOf(c) < 0; })) {
        parsed.error(name, "invalid");
        return parsed;
      }
      if (other && chosen.indexOf(OTHER) < 0) {
        if (chosen.length) {
          parsed.error(name + "-other", "other");
          return parsed;
        }
        chosen.push(OTHER);
      }
      var unique = [];
      chosen.forEach(function (c) { if (unique.indexOf(c) < 0) unique.push(c); });
      chosen = unique.sort(function (a, b) { return q.order.indexOf(a) - q.order.indexOf(b); });
      var exclusive = q.exclusive.filter(function (v) { return chosen.indexOf(v) >= 0; });
      if (exclusive.length && chosen.length > 1) {
        parsed.error(name, "exclusive");
        return parsed;
      }
      if (q.max_choices !== null && q.max_choices !== undefined && chosen.length > q.max_choices) {
        parsed.error(name, "max_choices");
        return parsed;
      }
      if (chosen.length) parsed.value = other ? { options: chosen, other: firstChars(other, 200) } : chosen;
      return required(q, parsed);
    },
    scale: function (q, data) {
      var name = "q-" + q.key;
      var chosen = orNull(get(data, name));
      var parsed = new Parsed();
      if (chosen !== null) {
        var point = q.points.filter(function (p) { return p[0] === chosen; });
        if (!point.length) {
          parsed.error(name, "invalid");
          return parsed;
        }
        parsed.value = point[0][1];
      }
      return required(q, parsed);
    },
    number: function (q, data) {
      var name = "q-" + q.key;
      var text = cleanText(get(data, name));
      var parsed = new Parsed();
      if (text) {
        var number = parseNumber(text, q.decimal);
        if (number === null) {
          parsed.error(name, q.decimal ? "decimal" : "integer");
          return parsed;
        }
        if (q.min !== null && q.min !== undefined && number < q.min) parsed.error(name, "min");
        else if (q.max !== null && q.max !== undefined && number > q.max) parsed.error(name, "max");
        else parsed.value = number;
      }
      return required(q, parsed);
    },
    text: function (q, data) {
      var name = "q-" + q.key;
      var text = cleanText(get(data, name)).split("\r\n").join("\n");
      var parsed = new Parsed();
      if (codePoints(text).length > q.max_length) {
        parsed.error(name, "max_length");
        return parsed;
      }
      parsed.value = text || null;
      return required(q, parsed);
    },
    date: function (q, data) {
      var parsed = new Parsed();
      parsed.value = parseOneDate(q, "q-" + q.key, data, parsed);
      return required(q, parsed);
    },
    date_range: function (q, data) {
      var parsed = new Parsed();
      var value = {};
      ["start", "end"].forEach(function (part) {
        var day = parseOneDate(q, "q-" + q.key + "-" + part, data, parsed);
        if (day) value[part] = day;
      });
      if (parsed.hasErrors()) return parsed;
      if (value.start && value.end && value.end < value.start) {
        parsed.error("q-" + q.key + "-end", "date_order");
        return parsed;
      }
      parsed.value = Object.keys(value).length ? value : null;
      if (q.required && parsed.value === null) parsed.error("q-" + q.key + "-start", "required");
      return parsed;
    },
    territory: function (q, data) {
      var parsed = new Parsed();
      if (!q.places.length) return parsed;
      var areaName = "q-" + q.key + "-area";
      var localityName = "q-" + q.key + "-locality";
      var hasField = {};
      q.fields.forEach(function (f) { hasField[f.name] = true; });
      var area = hasField[areaName] ? orNull(get(data, areaName)) : null;
      var code = q.level === "locality" && hasField[localityName] ? orNull(get(data, localityName)) : null;
      if (area !== null && q.areas.indexOf(area) < 0) {
        parsed.error(areaName, "invalid");
        return parsed;
      }
      var value = {};
      if (code !== null) {
        var place = q.places.filter(function (p) { return p[0] === code; })[0];
        if (!place) {
          parsed.error(localityName, "invalid");
          return parsed;
        }
        if (area !== null && place[1] !== area) {
          parsed.error(localityName, "locality");
          return parsed;
        }
        if (place[1]) value.area = String(place[1]);
        value.locality = code;
      } else if (area !== null) {
        value.area = area;
      }
      parsed.value = Object.keys(value).length ? value : null;
      if (q.required && parsed.value === null) parsed.error(q.areas.length ? areaName : localityName, "required");
      return parsed;
    },
    rated: function (q, data) {
      var parsed = new Parsed();
      var value = {};
      q.parts.forEach(function (pair) {
        var name = "q-" + q.key + "-" + pair[0];
        var chosen = orNull(get(data, name));
        if (chosen === null) {
          if (q.required) parsed.error(name, "required");
        } else if (pair[1].indexOf(chosen) < 0) {
          parsed.error(name, "invalid");
        } else {
          value[pair[0]] = q.as_int ? parseInt(chosen, 10) : chosen;
        }
      });
      if (!parsed.hasErrors()) parsed.value = Object.keys(value).length ? value : null;
      return parsed;
    }
  };

  /**
   * A page's submitted form as the server reads it: {values, errors, cleared}.
   *
   * `entries`: [name, value] pairs (Array.from(new FormData(form))); `answers`: the draft's stored
   * answers (they decide which questions show; a field the browser did not send keeps its stored
   * answer, as WTForms does); `settled`: questions the group step answered (not asked, kept).
   * Every question of the page is read, then those the answers just given hide are dropped: what
   * the server stores once the page has been sent until it reveals no more questions.
   * `errors`: {field name: [code, ...]} with the codes of consult.surveys.types.base.MESSAGES.
   */
  function readPage(spec, pageKey, entries, answers, settled) {
    var idx = indexOf(spec);
    var entry = idx.pages[pageKey];
    if (!entry) throw new Error("no page " + pageKey);
    answers = answers || {};
    var isSettled = settledSet(settled);
    var asked = entry.questions.filter(function (q) { return !isSettled[q.key]; });
    var byName = {};
    (entries || []).forEach(function (pair) {
      if (typeof pair[1] !== "string") return; // files are never answers
      (byName[pair[0]] = byName[pair[0]] || []).push(wireText(pair[1]));
    });
    var values = {};
    var errors = {};
    asked.forEach(function (q) {
      var parsed = PARSERS[q.parse] ? PARSERS[q.parse](q, fieldData(q, byName, answers[q.key])) : new Parsed();
      var names = Object.keys(parsed.errors);
      names.forEach(function (name) { errors[name] = parsed.errors[name]; });
      if (parsed.value !== null && parsed.value !== undefined && !names.length) values[q.key] = parsed.value;
    });
    var merged = {};
    var askedKeys = {};
    asked.forEach(function (q) { askedKeys[q.key] = true; });
    Object.keys(answers).forEach(function (key) { if (!askedKeys[key]) merged[key] = answers[key]; });
    Object.keys(values).forEach(function (key) { merged[key] = values[key]; });
    var shown = {};
    visibleAmong(spec, asked, merged, {}).forEach(function (q) { shown[q.key] = true; });
    asked.forEach(function (q) {
      if (shown[q.key]) return;
      delete values[q.key];
      q.fields.forEach(function (f) { delete errors[f.name]; });
    });
    return {
      values: values,
      errors: errors,
      cleared: entry.questions.filter(function (q) { return !has(values, q.key) && !isSettled[q.key]; })
        .map(function (q) { return q.key; })
    };
  }

  /**
   * {questionKey: value} of a page's form data, as the server stores it in the draft; a question
   * unanswered (or answered wrongly: see readPage's errors) has no key.
   */
  function valuesFromForm(spec, pageKey, entries, answers, settled) {
    return readPage(spec, pageKey, entries, answers, settled).values;
  }

  /** The stored answers after saving a page (drafts.save_page): the page's answers replaced. */
  function savePage(spec, pageKey, answers, values, settled) {
    var entry = indexOf(spec).pages[pageKey];
    var isSettled = settledSet(settled);
    var saved = {};
    Object.keys(answers || {}).forEach(function (key) { saved[key] = answers[key]; });
    entry.questions.forEach(function (q) { if (!isSettled[q.key]) delete saved[q.key]; });
    Object.keys(values).forEach(function (key) {
      if (values[key] !== null && values[key] !== undefined && has(indexOf(spec).questions, key)) saved[key] = values[key];
    });
    return saved;
  }

  var api = {
    MISSING: MISSING,
    isAnswered: isAnswered,
    choiceCodes: choiceCodes,
    evaluate: evaluate,
    walk: walk,
    onPathAnswers: onPathAnswers,
    firstPage: firstPage,
    nextPage: nextPage,
    previousPage: previousPage,
    lastPage: lastPage,
    visibleQuestions: visibleQuestions,
    readPage: readPage,
    valuesFromForm: valuesFromForm,
    savePage: savePage,
    parseNumber: parseNumber,
    parseDate: parseDate
  };
  root.ConsultRules = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof window !== "undefined" ? window : typeof globalThis !== "undefined" ? globalThis : this);
