// The results dashboard: polls GET /votes and draws one bar per candidate.
(function () {
  const select = document.getElementById('state');
  let filled = false;

  function bars(el, rows, total) {
    el.replaceChildren();
    rows.forEach((r) => {
      const row = document.createElement('div');
      row.className = 'row';
      const label = document.createElement('div');
      label.className = 'label';
      const name = document.createElement('span');
      name.textContent = r.candidate;
      const num = document.createElement('span');
      num.textContent = r.count.toLocaleString() + ' (' + r.percentage.toFixed(2) + '%)';
      label.append(name, num);
      const bar = document.createElement('div');
      bar.className = 'bar';
      bar.style.width = (total ? (100 * r.count / total) : 0) + '%';
      row.append(label, bar);
      el.append(row);
    });
  }

  async function refresh() {
    try {
      const res = await fetch('/votes');
      const data = await res.json();
      document.getElementById('election').textContent = data.election;
      document.getElementById('summary').textContent =
          data.total_count.toLocaleString() + ' ballots counted, as of ' + data.as_of;
      bars(document.getElementById('national'), data.candidates, data.total_count);
      if (!filled) {
        data.states.forEach((s) => select.append(new Option(s.state, s.state)));
        filled = true;
      }
      const st = data.states.find((s) => s.state === select.value);
      bars(document.getElementById('state-results'), st ? st.results : [], st ? st.total_count : 0);
    } catch (err) {
      document.getElementById('summary').textContent = 'Results are unavailable right now.';
    }
  }
  select.addEventListener('change', refresh);
  refresh();
  setInterval(refresh, 2000);
})();
