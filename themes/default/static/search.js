// The search page of the default theme. It reads the index that `mend build`
// writes beside the page (see `search` in mend's source): the page's form
// says how many documents and shards there are and how the terms were
// stemmed; as the reader types, the script fetches one shard per word (the
// one holding every term that starts with the word's first two characters)
// and one file per result shown, for its title and a snippet of what matched.
//
// A word matches a term that is its stem (the same Snowball stemmer as the
// build, for English; elsewhere the terms that start the word), or that it
// starts (prefix matching while typing). A word of five letters or more that
// matches nothing matches the terms one typo away. Every word must match;
// results are ranked by the words' scores (title over tags over text over
// comments), rarer words counting more, newer articles first among equals.
// A result found only in a comment links to the comment.
// Without JavaScript the page offers a web search of the site instead.

// The English (Porter2) Snowball stemmer, as `rust-stemmers` 1.2 has it, for
// words already lowercase. `window.mendStem.english(word)`; a theme's own
// script may use it.
window.mendStem = (function () {
  "use strict";
  var EXCEPTIONS = {
    skis: "ski", skies: "sky", dying: "die", lying: "lie", tying: "tie", idly: "idl",
    gently: "gentl", ugly: "ugli", early: "earli", only: "onli", singly: "singl",
    sky: "sky", news: "news", howe: "howe", atlas: "atlas", cosmos: "cosmos",
    bias: "bias", andes: "andes"
  };
  var AFTER_STEP_1A = ["inning", "outing", "canning", "herring", "earring", "proceed", "exceed", "succeed"];
  var STEP_2 = [
    ["ational", "ate"], ["tional", "tion"], ["enci", "ence"], ["anci", "ance"], ["abli", "able"],
    ["entli", "ent"], ["ization", "ize"], ["izer", "ize"], ["ation", "ate"], ["ator", "ate"],
    ["alism", "al"], ["aliti", "al"], ["alli", "al"], ["fulness", "ful"], ["ousli", "ous"],
    ["ousness", "ous"], ["iveness", "ive"], ["iviti", "ive"], ["biliti", "ble"], ["bli", "ble"],
    ["ogi", "og"], ["fulli", "ful"], ["lessli", "less"], ["li", ""]
  ];
  var STEP_3 = [
    ["ational", "ate"], ["tional", "tion"], ["alize", "al"], ["icate", "ic"], ["iciti", "ic"],
    ["ical", "ic"], ["ful", ""], ["ness", ""], ["ative", ""]
  ];
  var STEP_4 = ["al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent",
    "ism", "ate", "iti", "ous", "ive", "ize", "ion"];

  function vowel(c) { return "aeiouy".indexOf(c) >= 0; }

  // The longest of `suffixes` (strings, or pairs whose first is the suffix)
  // that `word` ends with.
  function longest(word, suffixes) {
    var best = null;
    suffixes.forEach(function (entry) {
      var suffix = typeof entry === "string" ? entry : entry[0];
      if (word.slice(-suffix.length) === suffix && (!best || suffix.length > best.suffix.length)) {
        best = { suffix: suffix, entry: entry };
      }
    });
    return best;
  }

  // Where the region after the first non-vowel following a vowel starts.
  function regionAfter(word, from) {
    for (var i = from + 1; i < word.length; i++) {
      if (!vowel(word[i]) && vowel(word[i - 1])) { return i + 1; }
    }
    return word.length;
  }

  // Whether `word` ends in a short syllable.
  function shortSyllable(word) {
    var n = word.length;
    if (n === 2) { return vowel(word[0]) && !vowel(word[1]); }
    return n > 2 && !vowel(word[n - 3]) && vowel(word[n - 2]) && !vowel(word[n - 1]) &&
      "wxY".indexOf(word[n - 1]) < 0;
  }

  function english(input) {
    if (EXCEPTIONS.hasOwnProperty(input)) { return EXCEPTIONS[input]; }
    if (input.length < 3) { return input; }
    var word = input.replace(/^y/, "Y").replace(/([aeiouy])y/g, "$1Y");
    var r1 = regionAfter(word, 0);
    ["gener", "commun", "arsen"].forEach(function (prefix) {
      if (word.lastIndexOf(prefix, 0) === 0) { r1 = prefix.length; }
    });
    var r2 = regionAfter(word, r1);
    var hit;
    // Step 1a.
    if ((hit = longest(word, ["sses", "ied", "ies", "us", "ss", "s"]))) {
      var stem = word.slice(0, -hit.suffix.length);
      if (hit.suffix === "sses") { word = stem + "ss"; }
      else if (hit.suffix === "ied" || hit.suffix === "ies") { word = stem + (stem.length > 1 ? "i" : "ie"); }
      else if (hit.suffix === "s" && /[aeiouy]/.test(stem.slice(0, -1))) { word = stem; }
    }
    if (AFTER_STEP_1A.indexOf(word) >= 0) { return word; }
    // Step 1b.
    if ((hit = longest(word, ["eed", "eedly", "ed", "edly", "ing", "ingly"]))) {
      var before = word.slice(0, -hit.suffix.length);
      if (hit.suffix === "eed" || hit.suffix === "eedly") {
        if (before.length >= r1) { word = before + "ee"; }
      } else if (/[aeiouy]/.test(before)) {
        word = before;
        if (/(at|bl|iz)$/.test(word)) { word += "e"; }
        else if (/(bb|dd|ff|gg|mm|nn|pp|rr|tt)$/.test(word)) { word = word.slice(0, -1); }
        else if (r1 === word.length && shortSyllable(word)) { word += "e"; }
      }
    }
    // Step 1c.
    if (/.[^aeiouy][yY]$/.test(word)) { word = word.slice(0, -1) + "i"; }
    // Step 2.
    if ((hit = longest(word, STEP_2)) && word.length - hit.suffix.length >= r1) {
      var rest = word.slice(0, -hit.suffix.length);
      if (hit.suffix === "ogi") { if (/l$/.test(rest)) { word = rest + "og"; } }
      else if (hit.suffix === "li") { if (/[cdeghkmnrt]$/.test(rest)) { word = rest; } }
      else { word = rest + hit.entry[1]; }
    }
    // Step 3.
    if ((hit = longest(word, STEP_3)) && word.length - hit.suffix.length >= r1) {
      if (hit.suffix !== "ative" || word.length - hit.suffix.length >= r2) {
        word = word.slice(0, -hit.suffix.length) + hit.entry[1];
      }
    }
    // Step 4.
    if ((hit = longest(word, STEP_4)) && word.length - hit.suffix.length >= r2) {
      var left = word.slice(0, -hit.suffix.length);
      if (hit.suffix !== "ion" || /[st]$/.test(left)) { word = left; }
    }
    // Step 5.
    var last = word.length - 1;
    if (word[last] === "e" && (last >= r2 || (last >= r1 && !shortSyllable(word.slice(0, -1))))) {
      word = word.slice(0, -1);
    } else if (word[last] === "l" && last >= r2 && word[last - 1] === "l") {
      word = word.slice(0, -1);
    }
    return word.replace(/Y/g, "y");
  }

  return { english: english };
})();

(function () {
  "use strict";
  var form = document.querySelector("form[data-mend-search]");
  if (!form || !window.fetch || !window.TextEncoder) { return; }
  var root = form.getAttribute("data-root");
  var host = form.getAttribute("data-host");
  var meta = {
    docs: Number(form.getAttribute("data-docs")),
    shards: Number(form.getAttribute("data-shards")),
    stem: form.getAttribute("data-stem") || ""
  };
  var stemOf = window.mendStem[meta.stem] || null;
  var input = form.elements.q;
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var PER_PAGE = 10;
  // A mark in a shard is a score plus PLACES times its place: 0 for the
  // article, 1 + n for the article's comment n.
  var PLACES = 1024;
  var SNIPPET = 180;
  var loaded = {};
  var asked = 0;
  var shown = { ranked: [], wanted: [], count: 0 };

  function load(path) {
    if (!loaded[path]) {
      loaded[path] = fetch(root + path).then(function (answer) {
        if (!answer.ok) { throw new Error(path + ": " + answer.status); }
        return answer.json();
      });
      loaded[path].catch(function () { delete loaded[path]; });
    }
    return loaded[path];
  }

  function length(word) { return Array.from(word).length; }

  // The words of a query, split as mend splits the text it indexes.
  function wordsOf(text) {
    var found = text.toLowerCase().match(/[\p{Alphabetic}\p{N}]+/gu) || [];
    return found.filter(function (word) { return length(word) >= 2 && length(word) <= 40; });
  }

  // The file of the shard of a word: FNV-1a of the UTF-8 of its first two
  // characters, modulo the number of shards, in hex (as mend computes it).
  function shardOf(word) {
    var bytes = new TextEncoder().encode(Array.from(word).slice(0, 2).join(""));
    var hash = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      hash = Math.imul(hash ^ bytes[i], 0x01000193) >>> 0;
    }
    return "search/t/" + (hash % meta.shards).toString(16).padStart(2, "0") + ".json";
  }

  // Whether `a` and `b` are at most one typo apart: a letter added, left
  // out, changed, or two side by side swapped.
  function oneTypo(a, b) {
    a = Array.from(a);
    b = Array.from(b);
    if (Math.abs(a.length - b.length) > 1) { return false; }
    var i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) { i++; }
    var tail = function (x, y) { return x.slice(y).join(""); };
    if (a.length === b.length) {
      return tail(a, i + 1) === tail(b, i + 1) ||
        (a[i] === b[i + 1] && a[i + 1] === b[i] && tail(a, i + 2) === tail(b, i + 2));
    }
    return a.length > b.length ? tail(a, i + 1) === tail(b, i) : tail(a, i) === tail(b, i + 1);
  }

  // The query's words, each with its stem and whether it may match as a
  // prefix: the last word (being typed), and any word of three letters or
  // more ("no" stays "no", not "not").
  function sought(words) {
    return words.map(function (word, i) {
      return {
        word: word,
        stem: stemOf ? stemOf(word) : word,
        prefix: i === words.length - 1 || length(word) > 2,
        terms: {},
        close: false
      };
    });
  }

  // How well `term` answers `wanted`: 1 for its stem, 0.7 for a term it
  // starts, 0 for none.
  function closeness(term, wanted) {
    if (term === wanted.stem || term === wanted.word) { return 1; }
    if (wanted.prefix && term.lastIndexOf(wanted.word, 0) === 0) { return 0.7; }
    return 0;
  }

  // How well `term` answers a word that matched nothing: 0.6 for a term
  // that starts it (its stem, where the script has no stemmer: a word typed
  // halfway), 0.5 for a term one typo away.
  function nearness(term, wanted) {
    var extra = length(wanted.word) - length(term);
    if (length(term) >= 3 && extra > 0 && extra <= 3 && wanted.word.lastIndexOf(term, 0) === 0) {
      return 0.6;
    }
    var typo = length(wanted.word) >= 5 && (oneTypo(term, wanted.word) || oneTypo(term, wanted.stem));
    return typo ? 0.5 : 0;
  }

  // For each document with a term that answers `wanted`, its best score and
  // where that term is found.
  function scoresOf(wanted) {
    return load(shardOf(wanted.word)).then(function (shard) {
      var terms = Object.keys(shard);
      var weights = new Map();
      terms.forEach(function (term) {
        var weight = closeness(term, wanted);
        if (weight) { weights.set(term, weight); }
      });
      if (!weights.size) {
        terms.forEach(function (term) {
          var weight = nearness(term, wanted);
          if (weight) { weights.set(term, weight); }
        });
        wanted.close = weights.size > 0;
      }
      var scores = new Map();
      weights.forEach(function (weight, term) {
        wanted.terms[term] = true;
        var postings = shard[term];
        var rarity = Math.log(1 + meta.docs / (postings.length / 2));
        var doc = 0;
        for (var i = 0; i < postings.length; i += 2) {
          doc += postings[i];
          var score = (postings[i + 1] % PLACES) * rarity * weight;
          var place = Math.floor(postings[i + 1] / PLACES);
          var best = scores.get(doc);
          if (!best || best.score < score) { scores.set(doc, { score: score, place: place }); }
        }
      });
      return scores;
    });
  }

  // Documents that match every word, best first, each with the place to
  // link to: the comment where the first word is, when no word is in the
  // article itself.
  function rank(perWord) {
    var total = new Map();
    perWord[0].forEach(function (found, doc) {
      var all = perWord.map(function (scores) { return scores.get(doc); });
      if (all.some(function (x) { return !x; })) { return; }
      var inArticle = all.some(function (x) { return x.place === 0; });
      total.set(doc, {
        doc: doc,
        score: all.reduce(function (sum, x) { return sum + x.score; }, 0),
        place: inArticle ? 0 : found.place
      });
    });
    return Array.from(total.values()).sort(function (a, b) { return b.score - a.score || b.doc - a.doc; });
  }

  function say(text) {
    status.textContent = text;
  }

  function fallback(query) {
    say("The search index could not be loaded. ");
    var link = document.createElement("a");
    link.href = "https://duckduckgo.com/?q=" + encodeURIComponent(query) + "&sites=" + encodeURIComponent(host);
    link.textContent = "Search this site with DuckDuckGo";
    status.appendChild(link);
  }

  // Whether a word of the text is one the reader looked for.
  function isSought(part, wanted) {
    var lower = part.toLowerCase();
    var stem = stemOf ? stemOf(lower) : lower;
    return wanted.some(function (w) {
      if (w.terms[stem] || w.terms[lower] || (w.prefix && lower.lastIndexOf(w.word, 0) === 0)) {
        return true;
      }
      // Without a stemmer here, a word that a matched term starts.
      return !stemOf && Object.keys(w.terms).some(function (term) {
        return length(term) >= 3 && lower.lastIndexOf(term, 0) === 0;
      });
    });
  }

  // Text with the sought words marked, built as nodes (never as HTML).
  function marked(text, wanted) {
    var fragment = document.createDocumentFragment();
    text.split(/([\p{Alphabetic}\p{N}]+)/u).forEach(function (part, i) {
      if (i % 2 === 1 && isSought(part, wanted)) {
        var mark = document.createElement("mark");
        mark.textContent = part;
        fragment.appendChild(mark);
      } else if (part) {
        fragment.appendChild(document.createTextNode(part));
      }
    });
    return fragment;
  }

  // About SNIPPET characters of `text` around its first sought word (or
  // its start), cut at spaces.
  function snippet(text, wanted) {
    var parts = text.split(/([\p{Alphabetic}\p{N}]+)/u);
    var at = 0;
    var offset = 0;
    for (var i = 0; i < parts.length; i++) {
      if (i % 2 === 1 && isSought(parts[i], wanted)) { at = offset; break; }
      offset += parts[i].length;
    }
    var start = Math.max(0, at - SNIPPET / 3);
    if (start > 0) { start = text.indexOf(" ", start) + 1 || at; }
    var end = start + SNIPPET;
    if (end < text.length) { end = text.lastIndexOf(" ", end); if (end <= at) { end = start + SNIPPET; } }
    return (start > 0 ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "");
  }

  // `2024-02-27` as the site's pages write a day: February 27, 2024.
  var days = window.Intl && new Intl.DateTimeFormat(document.documentElement.lang || undefined,
    { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
  function dayOf(ymd) {
    var when = new Date(ymd + "T00:00:00Z");
    return days && !isNaN(when.getTime()) ? days.format(when) : ymd;
  }

  function item(doc, result, wanted) {
    var li = document.createElement("li");
    li.className = "search-result";
    var comment = result.place > 0 ? doc.c[result.place - 1] : null;
    var title = document.createElement("a");
    title.className = "search-title";
    title.href = root + doc.p + (comment ? "#comment-" + comment[0] : "");
    title.appendChild(marked(doc.t, wanted));
    li.appendChild(title);
    if (doc.d) {
      var date = document.createElement("time");
      date.dateTime = doc.d;
      date.textContent = dayOf(doc.d);
      li.appendChild(date);
    }
    var text = document.createElement("p");
    if (comment) {
      var who = document.createElement("span");
      who.className = "search-comment-by";
      who.textContent = comment[1] + ", in a comment: ";
      text.appendChild(who);
    }
    text.appendChild(marked(snippet(comment ? comment[2] : doc.x, wanted), wanted));
    li.appendChild(text);
    return li;
  }

  // Appends the next page of results.
  function showMore(ticket) {
    var page = shown.ranked.slice(shown.count, shown.count + PER_PAGE);
    return Promise.all(page.map(function (result) { return load("search/d/" + result.doc + ".json"); }))
      .then(function (docs) {
        if (ticket !== asked) { return; }
        page.forEach(function (result, i) {
          list.appendChild(item(docs[i], result, shown.wanted));
        });
        shown.count += page.length;
        more.hidden = shown.count >= shown.ranked.length;
      });
  }

  function summary(query, wanted, n) {
    var quoted = "“" + query.trim() + "”";
    var close = wanted.some(function (w) { return w.close; });
    if (n === 0) { return "Nothing found for " + quoted + "."; }
    var count = n + (n === 1 ? " result" : " results");
    return close ? "Nothing found for " + quoted + " as typed; " + count + " for words spelled like it."
      : count + " for " + quoted + ".";
  }

  function search(query) {
    var ticket = ++asked;
    var words = wordsOf(query);
    if (!words.length) {
      list.textContent = "";
      more.hidden = true;
      say(query.trim() ? "Type at least two letters." : "");
      return Promise.resolve();
    }
    var wanted = sought(words);
    return Promise.all(wanted.map(scoresOf)).then(function (perWord) {
      if (ticket !== asked) { return; }
      shown = { ranked: rank(perWord), wanted: wanted, count: 0 };
      list.textContent = "";
      // Said once the results are there, so the count and what it counts
      // arrive together (a screen reader reads it as they appear).
      return showMore(ticket).then(function () {
        if (ticket === asked) { say(summary(query, wanted, shown.ranked.length)); }
      });
    }).catch(function () {
      if (ticket === asked) { fallback(query); }
    });
  }

  function remember(query) {
    var address = new URL(window.location.href);
    if (query) { address.searchParams.set("q", query); } else { address.searchParams.delete("q"); }
    window.history.replaceState(null, "", address);
  }

  var typing = null;
  input.addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(function () { remember(input.value); search(input.value); }, 150);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(typing);
    remember(input.value);
    search(input.value);
  });
  more.addEventListener("click", function () { showMore(asked); });
  var first = new URLSearchParams(window.location.search).get("q");
  if (first) {
    input.value = first;
    search(first);
  }
})();
