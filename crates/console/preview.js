// The live preview's fetch stand-in and widget start (see preview.html): a file, since the server's CSP
// allows no inline script.
(function () {
  var KEY = 'tally-preview';
  var real = window.fetch.bind(window);
  var data = null, started = false, timer = null;
  try { data = JSON.parse(sessionStorage.getItem(KEY) || 'null'); } catch (e) { data = null; }
  function json(body, status) {
    return Promise.resolve(new Response(JSON.stringify(body), { status: status || 200, headers: { 'Content-Type': 'application/json' } }));
  }
  window.fetch = function (input, init) {
    var url = new URL(typeof input === 'string' ? input : input.url, location.href);
    var p = url.pathname;
    if (p.indexOf('/v1/shops/') !== 0) return real(input, init);
    if (/\/program$/.test(p)) return json(data.program);
    if (/\/me$/.test(p)) return data.me ? json(data.me) : json({ error: { code: 'unauthorized', message: 'guest' } }, 401);
    if (/\/me\/(activity|redemptions)$/.test(p)) return json({ items: [], next: null });
    return json({ error: { code: 'not_found', message: 'not in the preview' } }, 404);
  };
  function start() {
    if (started || !data) return;
    started = true;
    var s = document.createElement('script');
    s.src = '/widget/tally.js';
    s.dataset.shop = data.program.shop.id;
    s.dataset.api = location.origin;
    s.dataset.mode = 'inline';
    s.dataset.target = '#w';
    if (data.me) {
      s.dataset.customer = data.me.customer_id;
      s.dataset.timestamp = String(Math.floor(Date.now() / 1000));
      s.dataset.signature = '0000000000000000000000000000000000000000000000000000000000000000';
    }
    document.body.appendChild(s);
  }
  window.addEventListener('message', function (e) {
    if (e.origin !== location.origin || typeof e.data !== 'string') return;
    var msg;
    try { msg = JSON.parse(e.data).tally_preview; } catch (err) { return; }
    if (!msg) return;
    var text = JSON.stringify(msg);
    if (data && JSON.stringify(data) === text && started) return;
    data = msg;
    sessionStorage.setItem(KEY, text);
    if (!started) return start();
    clearTimeout(timer);
    timer = setTimeout(function () { location.reload(); }, 500);
  });
  if (data) start();
})();
