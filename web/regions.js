// Which region the voter site talks to, like a latency-based DNS policy with health-check
// failover (the demo used Route 53 for this): prefer the healthy region with the lowest measured
// latency, move on after a 503, a 429 or a network error, and come back to a region as soon as
// its GET /health answers 200 again. The same request (same Idempotency-Key) goes to every
// region in turn, so a failover can never count a voter twice.
//
// Loaded by the page as a plain script (window.RegionRouter) and by Node's test runner as a
// CommonJS module; fetch, the clock and sleeping are injected so tests can fake them.
(function (root) {
  'use strict';

  class RegionRouter {
    // regions: [{name, url}] with url '' for the page's own origin.
    constructor(regions, options) {
      const o = options || {};
      this.fetch = o.fetch || ((...args) => root.fetch(...args));
      this.now = o.now || (() => Date.now());
      this.sleep = o.sleep || ((ms) => new Promise((r) => setTimeout(r, ms)));
      this.healthTimeoutMs = o.healthTimeoutMs || 2000;
      this.rounds = o.rounds || 5;
      this.regions = regions.map((r) => ({name: r.name, url: r.url, healthy: true, latency: 0}));
    }

    // Probes every region's GET /health at once; unreachable or unhealthy regions go last.
    async measure() {
      await Promise.all(this.regions.map(async (r) => {
        const start = this.now();
        try {
          const res = await this.fetch(r.url + '/health', {
            signal: AbortSignal.timeout(this.healthTimeoutMs),
            cache: 'no-store',
          });
          r.healthy = res.ok;
        } catch (e) {
          r.healthy = false;
        }
        r.latency = this.now() - start;
      }));
    }

    // Healthy regions by latency, then the others (a region may recover between probes).
    order() {
      const rank = (r) => (r.healthy ? 0 : 1);
      return [...this.regions].sort((a, b) => rank(a) - rank(b) || a.latency - b.latency);
    }

    // POSTs `body` as JSON to `path`, failing over between regions. Resolves with
    // {response, region} for the first answer that is not 503 or 429; `onWait(seconds)` is
    // called before pausing when every region said no. Rejects after `rounds` such rounds.
    async post(path, body, headers, onWait) {
      await this.measure();
      for (let round = 0; round < this.rounds; round++) {
        let wait = 1;
        for (const r of this.order()) {
          let res;
          try {
            res = await this.fetch(r.url + path, {
              method: 'POST',
              headers: Object.assign({'Content-Type': 'application/json'}, headers || {}),
              body: JSON.stringify(body),
            });
          } catch (e) {
            r.healthy = false;  // connection refused, reset, DNS...: try the next region now
            continue;
          }
          if (res.status !== 503 && res.status !== 429) return {response: res, region: r.name};
          r.healthy = false;
          wait = Math.max(wait, Number(res.headers.get('Retry-After')) || 1);
        }
        if (onWait) onWait(wait);
        await this.sleep(wait * 1000);
        await this.measure();
      }
      throw new Error('No region can take your request right now; please try again later.');
    }
  }

  // The regions this page's server knows (GET /regions), its own origin as ''. Without the list
  // (an older server, or the request failed) the page's own region is the only one.
  async function loadRegions(fetchFn) {
    try {
      const res = await fetchFn('/regions', {cache: 'no-store'});
      if (res.ok) {
        const data = await res.json();
        const list = (data.regions || []).map((r) => ({
          name: r.name,
          url: r.name === data.region ? '' : r.url,
        }));
        if (list.some((r) => r.url === '')) return list;
        return [{name: data.region, url: ''}, ...list];
      }
    } catch (e) {
      // fall through
    }
    return [{name: 'this region', url: ''}];
  }

  const api = {RegionRouter, loadRegions};
  if (typeof module !== 'undefined' && module.exports) {
    module.exports = api;
  } else {
    root.LandslideRegions = api;
  }
})(typeof globalThis !== 'undefined' ? globalThis : this);
