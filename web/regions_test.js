// The voter site's region routing, with a fake network: `node --test web/regions_test.js`.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const {RegionRouter, loadRegions} = require('./regions.js');

// A fake network of regions. Each region: {healthy, latency (ms, real time), vote: status |
// 'refused' | a function returning one, down: refuses everything}.
function network(regions) {
  const calls = [];
  const fetch = async (url, init) => {
    const base = Object.keys(regions).find((b) => url.startsWith(b + '/') || (b === '' && url.startsWith('/')));
    const r = regions[base];
    const path = url.slice(base.length);
    calls.push({region: base, path, method: (init && init.method) || 'GET', init});
    await new Promise((done) => setTimeout(done, r.latency));
    if (r.down) throw new TypeError('Failed to fetch');
    if (path === '/health') return response(r.healthy ? 200 : 503);
    const status = typeof r.vote === 'function' ? r.vote() : r.vote;
    if (status === 'refused') throw new TypeError('Failed to fetch');
    return response(status, status === 503 ? {'Retry-After': '2'} : {});
  };
  const sleeps = [];
  return {
    calls,
    sleeps,
    options: {fetch, now: () => performance.now(), sleep: async (ms) => sleeps.push(ms)},
    posts: () => calls.filter((c) => c.method === 'POST'),
  };
}

function response(status, headers) {
  const h = new Map(Object.entries(headers || {}).map(([k, v]) => [k.toLowerCase(), v]));
  return {status, ok: status >= 200 && status < 300, headers: {get: (k) => h.get(k.toLowerCase()) || null}};
}

const three = [
  {name: 'us-east', url: ''},
  {name: 'us-central', url: 'http://c'},
  {name: 'us-west', url: 'http://w'},
];

test('prefers the healthy region with the lowest latency', async () => {
  const net = network({
    '': {healthy: true, latency: 90, vote: 201},
    'http://c': {healthy: true, latency: 5, vote: 201},
    'http://w': {healthy: true, latency: 45, vote: 201},
  });
  const router = new RegionRouter(three, net.options);
  const {response: res, region} = await router.post('/votes', {id: 'x'}, {'Idempotency-Key': 'k1'});
  assert.equal(res.status, 201);
  assert.equal(region, 'us-central');
  assert.equal(net.posts().length, 1);
});

test('moves on after a 503 or a refused connection, with the same Idempotency-Key', async () => {
  const net = network({
    '': {healthy: true, latency: 1, vote: 503},
    'http://c': {healthy: true, latency: 40, vote: 'refused'},
    'http://w': {healthy: true, latency: 80, vote: 201},
  });
  const router = new RegionRouter(three, net.options);
  const {response: res, region} = await router.post('/votes', {id: 'x'}, {'Idempotency-Key': 'k2'});
  assert.equal(res.status, 201);
  assert.equal(region, 'us-west');
  const posts = net.posts();
  assert.deepEqual(posts.map((p) => p.region), ['', 'http://c', 'http://w']);
  for (const p of posts) {
    assert.equal(p.init.headers['Idempotency-Key'], 'k2');
    assert.equal(p.init.body, JSON.stringify({id: 'x'}));
  }
  assert.deepEqual(net.sleeps, []);
});

test('an unhealthy region is tried last, and preferred again once healthy', async () => {
  const regions = {
    '': {healthy: false, latency: 1, vote: 201},
    'http://c': {healthy: true, latency: 40, vote: 201},
    'http://w': {healthy: true, latency: 80, vote: 201},
  };
  const net = network(regions);
  const router = new RegionRouter(three, net.options);
  let out = await router.post('/votes', {id: 'a'}, {});
  assert.equal(out.region, 'us-central');
  regions[''].healthy = true;  // the home region is back
  out = await router.post('/votes', {id: 'b'}, {});
  assert.equal(out.region, 'us-east');
});

test('a 409 or a 400 is an answer, not a reason to fail over', async () => {
  const net = network({
    '': {healthy: true, latency: 1, vote: 409},
    'http://c': {healthy: true, latency: 40, vote: 201},
    'http://w': {healthy: true, latency: 80, vote: 201},
  });
  const router = new RegionRouter(three, net.options);
  const {response: res} = await router.post('/votes', {id: 'x'}, {});
  assert.equal(res.status, 409);
  assert.equal(net.posts().length, 1);
});

test('when every region says 503 it waits Retry-After, then tries again; gives up after its rounds', async () => {
  let calls = 0;
  const net = network({
    '': {healthy: true, latency: 1, vote: () => (++calls > 3 ? 201 : 503)},
    'http://c': {healthy: true, latency: 40, vote: 503},
    'http://w': {healthy: true, latency: 80, vote: 'refused'},
  });
  const waits = [];
  const router = new RegionRouter(three, net.options);
  const {response: res} = await router.post('/votes', {id: 'x'}, {}, (s) => waits.push(s));
  assert.equal(res.status, 201);
  assert.deepEqual(waits, [2, 2, 2]);
  assert.deepEqual(net.sleeps, [2000, 2000, 2000]);

  const dead = network({
    '': {healthy: false, latency: 1, vote: 503},
    'http://c': {healthy: false, latency: 1, vote: 'refused'},
    'http://w': {down: true, latency: 1},
  });
  const r2 = new RegionRouter(three, Object.assign({rounds: 2}, dead.options));
  await assert.rejects(r2.post('/votes', {id: 'y'}, {}), /No region can take your request/);
  assert.equal(dead.posts().length, 6);  // two rounds of the three regions
});

test('loadRegions puts the page\'s own region at its own origin', async () => {
  const fetch = async () => ({
    ok: true,
    json: async () => ({
      region: 'us-central',
      regions: [
        {name: 'us-east', url: 'http://127.0.0.1:7000'},
        {name: 'us-central', url: 'http://127.0.0.1:7001'},
      ],
    }),
  });
  assert.deepEqual(await loadRegions(fetch), [
    {name: 'us-east', url: 'http://127.0.0.1:7000'},
    {name: 'us-central', url: ''},
  ]);
  const failing = async () => {
    throw new TypeError('Failed to fetch');
  };
  assert.deepEqual(await loadRegions(failing), [{name: 'this region', url: ''}]);
});
