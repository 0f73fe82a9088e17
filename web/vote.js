// The voter site: look up the ballot, cast one vote, show the receipt. Retries 503 answers with
// the same Idempotency-Key, so a retry can never count twice.
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

  async function post(path, body, headers) {
    for (let attempt = 0; attempt < 5; attempt++) {
      const res = await fetch(path, {
        method: 'POST',
        headers: Object.assign({'Content-Type': 'application/json'}, headers || {}),
        body: JSON.stringify(body),
      });
      if (res.status !== 503 && res.status !== 429) return res;
      const wait = Number(res.headers.get('Retry-After') || '1');
      show('The service is busy; retrying in ' + wait + ' s…');
      await new Promise((r) => setTimeout(r, wait * 1000));
    }
    throw new Error('The service is unavailable; please try again later.');
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
        show('Counted. Your receipt: ' + data.receipt, 'ok');
      } else {
        show(data.message, 'error');
      }
    } catch (err) {
      show(err.message, 'error');
    }
  });
})();
