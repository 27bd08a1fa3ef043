/* Tally loader, hand-written: after load and in idle time, one <tally-widget> with an open shadow
   root, then the wasm glue beside this file. window.Tally queues calls until it is mounted.
   No Array.prototype methods: a host page may have broken them. */
(function () {
  // scripts/package-widget fills in hashed names and their SRI hashes; empty here, nothing is checked.
  // SPLIT is the glue's import that fetches the panel's views (scripts/split-widget); PARTS their hashes.
  var GLUE = 'tally-widget.js', WASM = 'tally-widget_bg.wasm', SPLIT = '__wasm_split.js', GLUE_SRI = '', WASM_SRI = '', SPLIT_SRI = '', PARTS = {};
  var F = window.fetch; // the wasm's fetch, taken before later scripts can patch it
  var s = document.currentScript || document.querySelector('script[src*="tally"][data-shop]');
  if (!s || (window.Tally && window.Tally.v)) return;
  var d = s.dataset, src = new URL(s.src, location.href), base = new URL('.', src).href;
  var queue = [], widget = null, host = null, dead = false;
  var warn = function (m) { console.warn('[tally] ' + m); };
  var call = function (name, args) {
    if (dead) return;
    if (!widget) return void (queue[queue.length] = [name, args]);
    try { widget[name].apply(widget, args); } catch (e) { warn(name + ': ' + e); }
  };
  var T = { v: 1 };
  var names = ['open', 'close', 'refresh', 'setCustomer', 'setTheme'];
  for (var i = 0; i < names.length; i++) (function (n) {
    T[n] = function () { call(n, Array.prototype.slice.call(arguments)); };
  })(names[i]);
  T.destroy = function () {
    dead = true; queue = [];
    try { if (widget) widget.destroy(); } catch (e) { /* already gone */ }
    if (host) host.remove();
    widget = host = null;
  };
  window.Tally = T;

  function unusable(file) {
    return 'could not load ' + file + ': blocked, unreachable' + (GLUE_SRI ? ', or not matching its integrity hash' : '');
  }

  function start() {
    if (dead) return;
    var cfg = Object.assign({}, d), parent = document.body;
    if (cfg.mode === 'inline') {
      var t = null;
      try { t = cfg.target && document.querySelector(cfg.target); } catch (e) { /* bad selector */ }
      if (t) parent = t;
      else { warn('data-target ' + JSON.stringify(cfg.target || '') + ' not found; showing the launcher'); cfg.mode = 'launcher'; }
    }
    host = document.createElement('tally-widget');
    var root = host.attachShadow({ mode: 'open' });
    parent.appendChild(host);
    // With SRI, modulepreloads check the glue and its import before import() takes them from the module map.
    var preload = function (file, sri) {
      return new Promise(function (ok, no) {
        if (!sri) return ok();
        var l = document.createElement('link');
        l.rel = 'modulepreload'; l.href = base + file; l.integrity = sri; l.crossOrigin = 'anonymous';
        l.onload = ok; l.onerror = function () { no(Error(unusable(file))); };
        document.head.appendChild(l);
      });
    };
    var split = preload(SPLIT, SPLIT_SRI); // both at once; no Promise.all, which a page can break
    preload(GLUE, GLUE_SRI).then(function () { return split; }).then(function () { return import(base + GLUE); }).then(function (m) {
      if (m.useLoader) m.useLoader(F, PARTS, m.initSync);
      var wasm = Promise.resolve(F(base + WASM, WASM_SRI ? { integrity: WASM_SRI } : {})).catch(function () { throw Error(unusable(WASM)); });
      return m.default({ module_or_path: wasm }).then(function () {
        if (dead) return;
        widget = m.mount(root, cfg, src.origin, base);
        if (!widget) return T.destroy();
        document.dispatchEvent(new CustomEvent('tally:ready'));
        var q = queue; queue = [];
        for (var j = 0; j < q.length; j++) call(q[j][0], q[j][1]);
      });
    }).catch(function (e) {
      warn('could not start: ' + (/WebAssembly/.test(e) && /CSP|Content.Security.Policy/i.test(e)
        ? "this page's Content-Security-Policy must allow 'wasm-unsafe-eval' in script-src" : e));
      T.destroy();
    });
  }
  var idle = function () {
    if (window.requestIdleCallback) requestIdleCallback(start, { timeout: 2000 });
    else setTimeout(start, 1);
  };
  if (document.readyState === 'complete') idle();
  else addEventListener('load', idle);
})();
