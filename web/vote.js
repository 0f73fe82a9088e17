// The voter site: look up the ballot, cast one vote, show the receipt. Requests go to the
// fastest healthy region and fail over to the others (regions.js), always with the same
// Idempotency-Key, so a retry can never count twice.
(function () {
  const status = document.getElementById('status');
  const lookup = document.getElementById('lookup');
  const ballot = document.getElementById('ballot');
  const choices = document.getElementById('choices');
  let voterId = '';
  let idempotencyKey = '';

  function show(text, kind) {
    status.textContent = text;
    status.className = kind || '';
  }

  // Every region takes every ballot: the router picks the fastest healthy one and fails over.
  const {RegionRouter, loadRegions} = window.LandslideRegions;
  const routerReady = loadRegions((...args) => fetch(...args)).then((list) => new RegionRouter(list));

  async function post(path, body, headers) {
    const router = await routerReady;
    const {response, region} = await router.post(path, body, headers, (wait) =>
      show('Every region is busy; retrying in ' + wait + ' s…'));
    document.body.dataset.region = region;  // which region answered (shown, and read by tests)
    return response;
  }

  lookup.addEventListener('submit', async (e) => {
    e.preventDefault();
    voterId = document.getElementById('voter-id').value.trim();
    try {
      const res = await post('/ballot', {id: voterId});
      const data = await res.json();
      if (!res.ok) return show(data.message, 'error');
      document.getElementById('ballot-title').textContent = 'Your ballot (' + data.state + ')';
      choices.replaceChildren();
      data.candidates.forEach((name, i) => {
        const label = document.createElement('label');
        label.className = 'choice';
        const input = document.createElement('input');
        input.type = 'radio';
        input.name = 'candidate';
        input.value = name;
        input.required = true;
        input.id = 'c' + i;
        label.append(input, ' ', name);
        choices.append(label);
      });
      idempotencyKey = crypto.randomUUID();
      ballot.hidden = false;
      show('');
    } catch (err) {
      show(err.message, 'error');
    }
  });

  ballot.addEventListener('submit', async (e) => {
    e.preventDefault();
    const picked = ballot.querySelector('input[name=candidate]:checked');
    if (!picked) return show('Pick a candidate first.', 'error');
    try {
      const res = await post('/votes', {id: voterId, candidate: picked.value},
                             {'Idempotency-Key': idempotencyKey});
      const data = await res.json();
      if (res.status === 201) {
        ballot.hidden = true;
        show('Counted by ' + data.region + '. Your receipt: ' + data.receipt, 'ok');
      } else {
        show(data.message, 'error');
      }
    } catch (err) {
      show(err.message, 'error');
    }
  });
})();
