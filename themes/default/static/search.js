// The search page of the default theme. It reads the index that `mend build`
// writes beside the page (see `search` in mend's source): `meta.json` first,
// then, as the reader types, one shard per word (the one holding every term
// that starts with the word's first two characters) and one chunk of
// documents per page of results. Every word must match (the last one as a prefix while typing);
// results are ranked by the words' scores, rarer words counting more, and
// newer articles first among equals.
// Without JavaScript the page offers a web search of the site instead.
(function () {
  "use strict";
  var form = document.querySelector("form[data-mend-search]");
  if (!form || !window.fetch || !window.TextEncoder) { return; }
  var root = form.getAttribute("data-root");
  var host = form.getAttribute("data-host");
  var input = form.elements.q;
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var PER_PAGE = 20;
  var loaded = {};
  var asked = 0;
  var shown = { ranked: [], words: [], count: 0 };

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

  // The words of a query, split as mend splits the text it indexes.
  function wordsOf(text) {
    var found = text.toLowerCase().match(/[\p{Alphabetic}\p{N}]+/gu) || [];
    return found.filter(function (word) {
      var length = Array.from(word).length;
      return length >= 2 && length <= 40;
    });
  }

  // The file of the shard of a word: FNV-1a of the UTF-8 of its first two
  // characters, modulo the number of shards, in hex (as mend computes it).
  function shardOf(meta, word) {
    var bytes = new TextEncoder().encode(Array.from(word).slice(0, 2).join(""));
    var hash = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      hash = Math.imul(hash ^ bytes[i], 0x01000193) >>> 0;
    }
    return "search/t/" + (hash % meta.shards).toString(16).padStart(2, "0") + ".json";
  }

  // Whether `term` answers the query word `sought` ({word, prefix}).
  function matches(term, sought) {
    return term === sought.word || (sought.prefix && term.lastIndexOf(sought.word, 0) === 0);
  }

  // The words of a query with how each may match.
  function sought(words) {
    return words.map(function (word, i) {
      return { word: word, prefix: i === words.length - 1 || Array.from(word).length > 2 };
    });
  }

  // The documents with a term that answers `wanted`, each with its best score.
  function scoresOf(meta, wanted) {
    var word = wanted.word;
    return load(shardOf(meta, word)).then(function (shard) {
      var scores = new Map();
      Object.keys(shard).forEach(function (term) {
        if (!matches(term, wanted)) { return; }
        var postings = shard[term];
        var rarity = Math.log(1 + meta.docs / (postings.length / 2));
        var weight = rarity * (term === word ? 1 : 0.7);
        var doc = 0;
        for (var i = 0; i < postings.length; i += 2) {
          doc += postings[i];
          var score = postings[i + 1] * weight;
          if (!(scores.get(doc) >= score)) { scores.set(doc, score); }
        }
      });
      return scores;
    });
  }

  // Documents that match every word, best first.
  function rank(perWord) {
    var total = new Map(perWord[0]);
    perWord.slice(1).forEach(function (scores) {
      total.forEach(function (score, doc) {
        if (scores.has(doc)) { total.set(doc, score + scores.get(doc)); } else { total.delete(doc); }
      });
    });
    return Array.from(total).sort(function (a, b) { return b[1] - a[1] || b[0] - a[0]; })
      .map(function (pair) { return pair[0]; });
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

  // Text with the searched words marked, built as nodes (never as HTML).
  function marked(text, words) {
    var fragment = document.createDocumentFragment();
    text.split(/([\p{Alphabetic}\p{N}]+)/u).forEach(function (part) {
      var lower = part.toLowerCase();
      var hit = words.some(function (wanted) { return matches(lower, wanted); });
      if (hit) {
        var mark = document.createElement("mark");
        mark.textContent = part;
        fragment.appendChild(mark);
      } else if (part) {
        fragment.appendChild(document.createTextNode(part));
      }
    });
    return fragment;
  }

  // `2024-02-27` as the site's pages write a day: February 27, 2024.
  var days = window.Intl && new Intl.DateTimeFormat(document.documentElement.lang || undefined,
    { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
  function dayOf(ymd) {
    var when = new Date(ymd + "T00:00:00Z");
    return days && !isNaN(when.getTime()) ? days.format(when) : ymd;
  }

  function item(doc, words) {
    var li = document.createElement("li");
    li.className = "search-result";
    var title = document.createElement("a");
    title.className = "search-title";
    title.href = root + doc.p;
    title.appendChild(marked(doc.t, words));
    li.appendChild(title);
    if (doc.d) {
      var date = document.createElement("time");
      date.dateTime = doc.d;
      date.textContent = dayOf(doc.d);
      li.appendChild(date);
    }
    if (doc.x) {
      var text = document.createElement("p");
      text.appendChild(marked(doc.x, words));
      li.appendChild(text);
    }
    return li;
  }

  // Appends the next page of results.
  function showMore(meta, ticket) {
    var page = shown.ranked.slice(shown.count, shown.count + PER_PAGE);
    var chunks = page.map(function (doc) { return Math.floor(doc / meta.chunk); });
    return Promise.all(chunks.map(function (n) { return load("search/d/" + n + ".json"); }))
      .then(function (docs) {
        if (ticket !== asked) { return; }
        page.forEach(function (doc, i) {
          list.appendChild(item(docs[i][doc % meta.chunk], shown.words));
        });
        shown.count += page.length;
        more.hidden = shown.count >= shown.ranked.length;
      });
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
    return load("search/meta.json").then(function (meta) {
      return Promise.all(wanted.map(function (w) { return scoresOf(meta, w); }))
        .then(function (perWord) {
          if (ticket !== asked) { return; }
          shown = { ranked: rank(perWord), words: wanted, count: 0 };
          list.textContent = "";
          var n = shown.ranked.length;
          say(n === 0 ? "Nothing found for “" + query.trim() + "”."
            : n + (n === 1 ? " result" : " results") + " for “" + query.trim() + "”.");
          return showMore(meta, ticket);
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
  more.addEventListener("click", function () {
    load("search/meta.json").then(function (meta) { return showMore(meta, asked); });
  });
  var first = new URLSearchParams(window.location.search).get("q");
  if (first) {
    input.value = first;
    search(first);
  }
})();
