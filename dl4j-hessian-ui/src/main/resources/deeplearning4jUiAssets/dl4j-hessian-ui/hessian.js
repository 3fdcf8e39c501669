/*
 * Hessian tab of the Deeplearning4j UI (dl4j-hessian-ui). Plain JavaScript, no library: it polls the JSON routes of
 * HessianModule and draws SVG charts, an SVG or canvas heatmap and an HTML table.
 *
 * Safety: every string from the server (session ids and labels, layer, parameter and unit names) reaches the page through
 * textContent or setAttribute, never as markup. Machine-checkable values: every number shown is also in a
 * data-value attribute with full precision (the integration test compares them with the reports).
 */
(function () {
  'use strict';

  var API = '/hessian/api';
  var POLL_MS = 2000;
  /** Up to this many blocks the heatmap is SVG with one element per cell; above it, one canvas. */
  var SVG_MAX_BLOCKS = 96;
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

  var state = {
    sessions: [],
    multiSession: false,
    session: null,
    worker: null,
    reports: [],       // summaries of the selected session, all workers, by iteration
    keys: {},          // worker + '|' + timestamp of the reports held
    maxIteration: null,
    latest: [],        // latest full report of every worker
    timer: null,
    generation: 0      // bumped on session change: late answers for the old session are dropped
  };

  // ---------------------------------------------------------------- DOM helpers

  function $(id) {
    return document.getElementById(id);
  }

  /** An HTML element; children are nodes or strings (strings become text nodes, never markup). */
  function el(tag, attrs) {
    var e = document.createElement(tag);
    setAttrs(e, attrs);
    for (var i = 2; i < arguments.length; i++) {
      append(e, arguments[i]);
    }
    return e;
  }

  /** An SVG element, as el(). */
  function sv(tag, attrs) {
    var e = document.createElementNS(SVG_NS, tag);
    setAttrs(e, attrs);
    for (var i = 2; i < arguments.length; i++) {
      append(e, arguments[i]);
    }
    return e;
  }

  function setAttrs(e, attrs) {
    if (!attrs) {
      return;
    }
    Object.keys(attrs).forEach(function (k) {
      if (attrs[k] !== undefined && attrs[k] !== null) {
        e.setAttribute(k, String(attrs[k]));
      }
    });
  }

  function append(e, child) {
    if (child === undefined || child === null) {
      return;
    }
    e.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }

  function clear(e) {
    while (e.firstChild) {
      e.removeChild(e.firstChild);
    }
  }

  /** A number from JSON: null (NaN or infinite on the server) becomes NaN. */
  function num(v) {
    return v === null || v === undefined ? NaN : v;
  }

  /** Full precision for data-value attributes: shortest round-trip decimal, or "NaN". */
  function exact(v) {
    return isFinite(v) ? String(v) : 'NaN';
  }

  /** Four significant digits; exponent form for very large or small magnitudes; "–" when not available. */
  function fmt(v) {
    if (!isFinite(v)) {
      return '–';
    }
    var a = Math.abs(v);
    if (a !== 0 && (a >= 1e5 || a < 1e-3)) {
      return v.toExponential(3);
    }
    return String(Number(v.toPrecision(4)));
  }

  /** Sets text and data-value of the element with this id. */
  function show(id, value, prefix) {
    var e = $(id);
    e.textContent = (prefix || '') + fmt(value);
    e.setAttribute('data-value', exact(value));
  }

  // ---------------------------------------------------------------- data

  function getJson(url) {
    return fetch(url, {cache: 'no-store', headers: {'Accept': 'application/json'}}).then(function (r) {
      return r.json().catch(function () {
        return {error: 'HTTP ' + r.status};
      }).then(function (body) {
        if (!r.ok) {
          throw new Error(body && body.error ? body.error : 'HTTP ' + r.status);
        }
        return body;
      });
    });
  }

  function sessionUrl(id) {
    return API + '/sessions/' + encodeURIComponent(id);
  }

  function selectedFromHash() {
    var m = /(?:^#|&)session=([^&]*)/.exec(location.hash);
    return m ? decodeURIComponent(m[1]) : null;
  }

  function refresh() {
    var generation = state.generation;
    return getJson(API + '/sessions').then(function (data) {
      if (generation !== state.generation) {
        return null;
      }
      state.sessions = data.sessions;
      state.multiSession = data.multiSession;
      if (!state.session || !findSession(state.session)) {
        var wanted = selectedFromHash();
        var pick = wanted && findSession(wanted) ? wanted : (data.sessions.length ? data.sessions[0].id : null);
        if (pick !== state.session) {
          selectSession(pick, false);
          generation = state.generation;
        }
      }
      renderSessionPicker();
      if (!state.session) {
        $('empty').hidden = false;
        $('content').hidden = true;
        return null;
      }
      $('empty').hidden = true;
      $('content').hidden = false;
      var url = sessionUrl(state.session) + '/reports' + (state.maxIteration === null ? '' : '/since/' + state.maxIteration);
      return getJson(url).then(function (page) {
        if (generation !== state.generation) {
          return null;
        }
        var added = merge(page.reports);
        if (!added && state.latest.length) {
          return null;
        }
        return getJson(sessionUrl(state.session) + '/latest').then(function (latest) {
          if (generation !== state.generation) {
            return null;
          }
          state.latest = latest.latest;
          render();
          return null;
        });
      });
    }).then(function () {
      setStatus('live', 'Live · updated ' + new Date().toLocaleTimeString() + ' · ' + state.reports.length + ' reports');
    }, function (err) {
      setStatus('error', 'Not updated: ' + err.message);
    });
  }

  function findSession(id) {
    for (var i = 0; i < state.sessions.length; i++) {
      if (state.sessions[i].id === id) {
        return state.sessions[i];
      }
    }
    return null;
  }

  /** Adds the reports not held yet; true if any was added. */
  function merge(reports) {
    var added = false;
    reports.forEach(function (r) {
      var key = r.worker + '|' + r.timestamp;
      if (!state.keys[key]) {
        state.keys[key] = true;
        state.reports.push(r);
        added = true;
      }
      if (state.maxIteration === null || r.iteration > state.maxIteration) {
        state.maxIteration = r.iteration;
      }
    });
    state.reports.sort(function (a, b) {
      return a.iteration - b.iteration || (a.worker < b.worker ? -1 : a.worker > b.worker ? 1 : 0) || a.timestamp - b.timestamp;
    });
    return added;
  }

  function selectSession(id, updateHash) {
    state.generation++;
    state.session = id;
    state.worker = null;
    state.reports = [];
    state.keys = {};
    state.maxIteration = null;
    state.latest = [];
    if (updateHash && id !== null && history.replaceState) {
      history.replaceState(null, '', '#session=' + encodeURIComponent(id));
    }
  }

  function setStatus(kind, text) {
    var s = $('status');
    s.setAttribute('data-state', kind);
    s.setAttribute('data-reports', String(state.reports.length));
    s.textContent = text;
  }

  function schedule() {
    clearTimeout(state.timer);
    state.timer = setTimeout(function () {
      refresh().then(schedule);
    }, POLL_MS);
  }

  // ---------------------------------------------------------------- pickers and links

  function renderSessionPicker() {
    var select = $('session-select');
    var ids = state.sessions.map(function (s) {
      return s.id;
    });
    var current = Array.prototype.map.call(select.options, function (o) {
      return o.value;
    });
    if (ids.join('\u0000') !== current.join('\u0000')) {
      clear(select);
      state.sessions.forEach(function (s) {
        select.appendChild(el('option', {value: s.id}, s.id));
      });
    }
    state.sessions.forEach(function (s, i) {
      // the label (optimizer and settings, when the training set one) first: it is what tells the runs apart
      var name = s.label ? s.label + ' · ' + s.id : s.id;
      select.options[i].textContent = name + ' (' + s.reports + ' reports' + (s.workers.length > 1 ? ', ' + s.workers.length + ' workers' : '') + ')';
      select.options[i].setAttribute('data-label', s.label || '');
    });
    if (state.session !== null) {
      select.value = state.session;
    }
    var session = state.session === null ? null : findSession(state.session);
    var link = $('train-link');
    if (!state.multiSession) {
      link.setAttribute('href', '/train/overview');
    } else if (session && session.training) {
      link.setAttribute('href', '/train/' + encodeURIComponent(session.id) + '/overview');
    } else {
      link.setAttribute('href', '/train');
    }
  }

  function renderWorkerPicker() {
    var workers = [];
    state.reports.forEach(function (r) {
      if (workers.indexOf(r.worker) < 0) {
        workers.push(r.worker);
      }
    });
    workers.sort();
    if (state.worker === null || workers.indexOf(state.worker) < 0) {
      state.worker = workers.length ? workers[0] : null;
    }
    var select = $('worker-select');
    clear(select);
    workers.forEach(function (w) {
      select.appendChild(el('option', {value: w}, w));
    });
    if (state.worker !== null) {
      select.value = state.worker;
    }
    $('worker-picker').hidden = workers.length < 2;
  }

  // ---------------------------------------------------------------- rendering

  function render() {
    renderWorkerPicker();
    var reports = state.reports.filter(function (r) {
      return r.worker === state.worker;
    });
    var latest = null;
    state.latest.forEach(function (r) {
      if (r.worker === state.worker) {
        latest = r;
      }
    });
    renderSummary(latest);
    renderRatioChart(reports);
    renderHeatmap(latest);
    renderLayerTable(latest);
    renderEigenChart(reports);
    renderTraceChart(reports);
  }

  function renderSummary(r) {
    if (!r) {
      return;
    }
    var e = $('latest-iteration');
    e.textContent = String(r.iteration);
    e.setAttribute('data-value', String(r.iteration));
    $('latest-epoch').textContent = 'epoch ' + r.epoch + ' · worker ' + r.worker;
    show('latest-pairwise-ratio', num(r.pairwiseRatio));
    show('latest-pairwise-ratio-se', num(r.pairwiseRatioStandardError), '± ');
    show('latest-off-diagonal-mass-ratio', num(r.offDiagonalMassRatio));
    show('latest-off-diagonal-mass-ratio-se', num(r.offDiagonalMassRatioStandardError), '± ');
    show('latest-top-eigenvalue', num(r.topEigenvalue));
    show('latest-bottom-eigenvalue', num(r.bottomEigenvalue));
    show('latest-trace', num(r.trace));
    show('latest-trace-se', num(r.traceStandardError), '± ');
    $('latest-parameters').textContent = r.parameters + ' parameters';
    var b = $('latest-blocks');
    b.textContent = r.probedBlocks + ' / ' + r.blocks;
    b.setAttribute('data-value', String(r.blocks));
    b.setAttribute('data-probed', String(r.probedBlocks));
    $('latest-method').textContent = 'probed · ' + r.method + ' · ' + r.partition + ' · '
        + r.hessianVectorProducts + ' HVPs, ' + r.elapsedMillis + ' ms';
    var notExact = r.notExact || [];
    var warning = $('not-exact');
    warning.textContent = notExact.length ? 'not exact: ' + notExact.join(', ') : '';
    warning.setAttribute('data-units', String(notExact.length));
    warning.hidden = notExact.length === 0;
  }

  function seriesPoints(reports, valueKey, seKey) {
    return reports.map(function (r) {
      return {x: r.iteration, y: num(r[valueKey]), se: seKey ? num(r[seKey]) : NaN};
    });
  }

  function renderRatioChart(reports) {
    lineChart($('ratio-chart'), {
      height: 280,
      yLabel: 'ratio',
      zero: true,
      series: [
        {key: 'pairwise', name: 'pairwise ratio', color: cssVar('--pairwise'), points: seriesPoints(reports, 'pairwiseRatio', 'pairwiseRatioStandardError')},
        {key: 'mass', name: 'off-diagonal mass ratio', color: cssVar('--mass'), points: seriesPoints(reports, 'offDiagonalMassRatio', 'offDiagonalMassRatioStandardError')}
      ]
    });
  }

  function renderEigenChart(reports) {
    lineChart($('eigen-chart'), {
      height: 240,
      yLabel: 'eigenvalue',
      zero: true,
      series: [
        {key: 'top', name: 'top eigenvalue', color: cssVar('--top'), points: seriesPoints(reports, 'topEigenvalue')},
        {key: 'bottom', name: 'bottom eigenvalue', color: cssVar('--bottom'), dashed: true, points: seriesPoints(reports, 'bottomEigenvalue')}
      ]
    });
  }

  function renderTraceChart(reports) {
    lineChart($('trace-chart'), {
      height: 240,
      yLabel: 'trace',
      zero: false,
      series: [
        {key: 'trace', name: 'trace', color: cssVar('--trace'), points: seriesPoints(reports, 'trace', 'traceStandardError')}
      ]
    });
  }

  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  /** Round tick values covering [lo, hi], about n of them. */
  function ticks(lo, hi, n) {
    var span = hi - lo;
    var step = Math.pow(10, Math.floor(Math.log10(span / n)));
    var err = span / n / step;
    step *= err >= 7.5 ? 10 : err >= 3.5 ? 5 : err >= 1.5 ? 2 : 1;
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
      out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    }
    return out;
  }

  function tickLabel(v) {
    var a = Math.abs(v);
    return a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(1) : String(Number(v.toPrecision(6)));
  }

  /**
   * A line chart: per series a line, one circle per point (class "point", data-series, data-iteration, data-value,
   * data-se) and, where standard errors are finite, a band of ± one standard error (class "band").
   */
  function lineChart(container, opts) {
    clear(container);
    var legend = el('div', {'class': 'legend'});
    opts.series.forEach(function (s) {
      var swatch = el('span', {'class': 'swatch'});
      swatch.style.background = s.color;
      legend.appendChild(el('span', {'data-series': s.key}, swatch, s.name));
    });
    container.appendChild(legend);

    var xs = [];
    var ys = [];
    opts.series.forEach(function (s) {
      s.points.forEach(function (p) {
        xs.push(p.x);
        if (isFinite(p.y)) {
          ys.push(p.y);
          if (isFinite(p.se)) {
            ys.push(p.y - p.se, p.y + p.se);
          }
        }
      });
    });
    if (!xs.length) {
      container.appendChild(el('div', {'class': 'empty-chart'}, 'No reports yet.'));
      return;
    }
    var width = Math.max(320, container.clientWidth || 600);
    var height = opts.height;
    var m = {left: 64, right: 16, top: 10, bottom: 40};
    var xLo = Math.min.apply(null, xs);
    var xHi = Math.max.apply(null, xs);
    if (xLo === xHi) {
      xLo -= 1;
      xHi += 1;
    }
    var yLo = ys.length ? Math.min.apply(null, ys) : 0;
    var yHi = ys.length ? Math.max.apply(null, ys) : 1;
    if (opts.zero) {
      yLo = Math.min(0, yLo);
      yHi = Math.max(0, yHi);
    }
    if (yLo === yHi) {
      var pad = Math.abs(yLo) * 0.1 || 1;
      yLo -= pad;
      yHi += pad;
    } else {
      var margin = (yHi - yLo) * 0.06;
      yHi += margin;
      if (!(opts.zero && yLo === 0)) {
        yLo -= margin;
      }
    }
    var pw = width - m.left - m.right;
    var ph = height - m.top - m.bottom;
    var X = function (x) {
      return m.left + (x - xLo) / (xHi - xLo) * pw;
    };
    var Y = function (y) {
      return m.top + (yHi - y) / (yHi - yLo) * ph;
    };

    var svg = sv('svg', {viewBox: '0 0 ' + width + ' ' + height, width: width, height: height, role: 'img'});
    var axes = sv('g', {'class': 'axis'});
    ticks(yLo, yHi, 5).forEach(function (t) {
      axes.appendChild(sv('line', {'class': 'grid-line', x1: m.left, x2: width - m.right, y1: Y(t), y2: Y(t)}));
      axes.appendChild(sv('text', {x: m.left - 6, y: Y(t) + 4, 'text-anchor': 'end'}, tickLabel(t)));
    });
    ticks(xLo, xHi, Math.max(2, Math.min(8, Math.floor(pw / 80)))).filter(function (t) {
      return Math.abs(t - Math.round(t)) < 1e-9;
    }).forEach(function (t) {
      axes.appendChild(sv('line', {x1: X(t), x2: X(t), y1: m.top + ph, y2: m.top + ph + 5}));
      axes.appendChild(sv('text', {x: X(t), y: m.top + ph + 18, 'text-anchor': 'middle'}, tickLabel(t)));
    });
    axes.appendChild(sv('line', {x1: m.left, x2: m.left, y1: m.top, y2: m.top + ph}));
    axes.appendChild(sv('line', {x1: m.left, x2: width - m.right, y1: m.top + ph, y2: m.top + ph}));
    axes.appendChild(sv('text', {'class': 'axis-title', x: m.left + pw / 2, y: height - 4, 'text-anchor': 'middle'}, 'iteration'));
    axes.appendChild(sv('text', {'class': 'axis-title', x: 14, y: m.top + ph / 2, 'text-anchor': 'middle',
      transform: 'rotate(-90 14 ' + (m.top + ph / 2) + ')'}, opts.yLabel));
    svg.appendChild(axes);

    opts.series.forEach(function (s) {
      var g = sv('g', {'class': 'series', 'data-series': s.key});
      // bands: one polygon per run of points with finite value and standard error
      var run = [];
      var flush = function () {
        if (run.length) {
          var upper = run.map(function (p) {
            return X(p.x) + ',' + Y(p.y + p.se);
          });
          var lower = run.slice().reverse().map(function (p) {
            return X(p.x) + ',' + Y(p.y - p.se);
          });
          var d = run.length === 1
              ? 'M' + (X(run[0].x) - 4) + ',' + Y(run[0].y + run[0].se) + 'H' + (X(run[0].x) + 4) + 'V' + Y(run[0].y - run[0].se) + 'H' + (X(run[0].x) - 4) + 'Z'
              : 'M' + upper.join('L') + 'L' + lower.join('L') + 'Z';
          g.appendChild(sv('path', {'class': 'band', 'data-series': s.key, d: d, fill: s.color, 'fill-opacity': 0.18, stroke: 'none'}));
        }
        run = [];
      };
      s.points.forEach(function (p) {
        if (isFinite(p.y) && isFinite(p.se)) {
          run.push(p);
        } else {
          flush();
        }
      });
      flush();
      // line through the finite points
      var d = '';
      var pen = false;
      s.points.forEach(function (p) {
        if (isFinite(p.y)) {
          d += (pen ? 'L' : 'M') + X(p.x) + ',' + Y(p.y);
          pen = true;
        } else {
          pen = false;
        }
      });
      if (d) {
        g.appendChild(sv('path', {'class': 'line', d: d, stroke: s.color, 'stroke-dasharray': s.dashed ? '6 4' : null}));
      }
      s.points.forEach(function (p) {
        var c = sv('circle', {'class': 'point', 'data-series': s.key, 'data-iteration': p.x, 'data-value': exact(p.y),
          'data-se': exact(p.se), cx: X(p.x), cy: isFinite(p.y) ? Y(p.y) : m.top + ph, r: 3.5, fill: s.color,
          'fill-opacity': isFinite(p.y) ? 1 : 0});
        c.appendChild(sv('title', null, s.name + ' at iteration ' + p.x + ': ' + fmt(p.y) + (isFinite(p.se) ? ' ± ' + fmt(p.se) : '')));
        g.appendChild(c);
      });
      svg.appendChild(g);
    });
    container.appendChild(svg);
  }

  /** Viridis, t in [0, 1]. */
  function colour(t) {
    t = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
    var i = Math.min(VIRIDIS.length - 2, Math.floor(t));
    var f = t - i;
    var a = VIRIDIS[i];
    var b = VIRIDIS[i + 1];
    return [0, 1, 2].map(function (k) {
      return Math.round(a[k] + (b[k] - a[k]) * f);
    });
  }

  function rgb(c) {
    return 'rgb(' + c[0] + ',' + c[1] + ',' + c[2] + ')';
  }

  /** The B x B norms of a full report: measured column j, else measured column i (symmetry), else NaN. */
  function normMatrix(r) {
    var b = r.labels.length;
    var column = new Array(b);
    r.probed.forEach(function (j, p) {
      column[j] = r.columns[p];
    });
    return function (i, j) {
      if (column[j]) {
        return num(column[j][i]);
      }
      if (column[i]) {
        return num(column[i][j]);
      }
      return NaN;
    };
  }

  /** Runs of consecutive blocks of one layer: [{layer, start, end}]. */
  function layerGroups(labels) {
    var groups = [];
    labels.forEach(function (l, i) {
      var last = groups[groups.length - 1];
      if (last && last.layer === l.layer) {
        last.end = i + 1;
      } else {
        groups.push({layer: l.layer, start: i, end: i + 1});
      }
    });
    return groups;
  }

  function renderHeatmap(r) {
    var container = $('heatmap');
    var hover = $('heatmap-hover');
    clear(container);
    if (!r) {
      return;
    }
    var b = r.labels.length;
    var norm = normMatrix(r);
    var lo = Infinity;
    var hi = -Infinity;
    for (var i = 0; i < b; i++) {
      for (var j = 0; j < b; j++) {
        var v = norm(i, j);
        if (v > 0 && isFinite(v)) {
          lo = Math.min(lo, Math.log10(v));
          hi = Math.max(hi, Math.log10(v));
        }
      }
    }
    if (!isFinite(lo)) {
      lo = -1;
      hi = 0;
    } else if (lo === hi) {
      lo -= 0.5;
      hi += 0.5;
    }
    var fill = function (v) {
      if (!isFinite(v)) {
        return null;
      }
      return colour(v > 0 ? (Math.log10(v) - lo) / (hi - lo) : 0);
    };
    var describe = function (i, j) {
      var v = norm(i, j);
      clear(hover);
      hover.setAttribute('data-row', String(i));
      hover.setAttribute('data-col', String(j));
      hover.setAttribute('data-value', exact(v));
      append(hover, '‖H‖ of rows ');
      append(hover, el('span', {'class': 'block'}, r.labels[i].text));
      append(hover, ' × columns ');
      append(hover, el('span', {'class': 'block'}, r.labels[j].text));
      append(hover, ': ');
      append(hover, el('span', {'class': 'num'}, isFinite(v) ? fmt(v) : 'not probed'));
    };
    var groups = layerGroups(r.labels);
    var size = Math.max(240, Math.min(560, (container.clientWidth || 560) - 150));
    var cell = size / b;
    var left = 120;
    var top = 8;
    var legendH = 46;
    var svg = sv('svg', {viewBox: '0 0 ' + (left + size + 12) + ' ' + (top + size + 30 + legendH),
      width: left + size + 12, height: top + size + 30 + legendH, 'data-blocks': b});
    var defs = sv('defs');
    var pattern = sv('pattern', {id: 'hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)'});
    pattern.appendChild(sv('rect', {width: 6, height: 6, fill: '#eceef1'}));
    pattern.appendChild(sv('line', {x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#c3c8cd', 'stroke-width': 2}));
    defs.appendChild(pattern);
    var gradient = sv('linearGradient', {id: 'viridis', x1: 0, x2: 1, y1: 0, y2: 0});
    for (var s = 0; s <= 10; s++) {
      gradient.appendChild(sv('stop', {offset: (s / 10), 'stop-color': rgb(colour(s / 10))}));
    }
    defs.appendChild(gradient);
    svg.appendChild(defs);

    var cells = sv('g', {'class': 'cells'});
    if (b <= SVG_MAX_BLOCKS) {
      var gap = cell > 6 ? 1 : 0;
      for (var ri = 0; ri < b; ri++) {
        for (var cj = 0; cj < b; cj++) {
          var value = norm(ri, cj);
          var c = fill(value);
          var rect = sv('rect', {'class': 'cell', 'data-row': ri, 'data-col': cj, 'data-value': exact(value),
            x: left + cj * cell, y: top + ri * cell, width: Math.max(cell - gap, 0.5), height: Math.max(cell - gap, 0.5),
            fill: c ? rgb(c) : 'url(#hatch)'});
          rect.appendChild(sv('title', null, r.labels[ri].text + ' × ' + r.labels[cj].text + ': '
              + (isFinite(value) ? fmt(value) : 'not probed')));
          rect.addEventListener('mouseenter', describe.bind(null, ri, cj));
          cells.appendChild(rect);
        }
      }
      svg.appendChild(cells);
      container.appendChild(svg);
    } else {
      // canvas: one pixel block per cell, drawn under an SVG frame with the labels
      var wrap = el('div', {'class': 'canvas-wrap'});
      wrap.style.position = 'relative';
      var scale = window.devicePixelRatio || 1;
      var canvas = el('canvas', {id: 'heatmap-canvas', 'data-blocks': b, 'data-cells': b * b,
        width: Math.round(size * scale), height: Math.round(size * scale)});
      canvas.style.position = 'absolute';
      canvas.style.zIndex = '0';
      canvas.style.left = left + 'px';
      canvas.style.top = top + 'px';
      canvas.style.width = size + 'px';
      canvas.style.height = size + 'px';
      var ctx = canvas.getContext('2d');
      var img = ctx.createImageData(b, b);
      for (var pi = 0; pi < b; pi++) {
        for (var pj = 0; pj < b; pj++) {
          var pc = fill(norm(pi, pj));
          var o = 4 * (pi * b + pj);
          img.data[o] = pc ? pc[0] : 226;
          img.data[o + 1] = pc ? pc[1] : 229;
          img.data[o + 2] = pc ? pc[2] : 233;
          img.data[o + 3] = 255;
        }
      }
      var tmp = document.createElement('canvas');
      tmp.width = b;
      tmp.height = b;
      tmp.getContext('2d').putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(tmp, 0, 0, canvas.width, canvas.height);
      canvas.addEventListener('mousemove', function (ev) {
        var box = canvas.getBoundingClientRect();
        var ci = Math.floor((ev.clientY - box.top) / box.height * b);
        var cj = Math.floor((ev.clientX - box.left) / box.width * b);
        if (ci >= 0 && ci < b && cj >= 0 && cj < b) {
          describe(ci, cj);
        }
      });
      wrap.appendChild(svg);
      wrap.appendChild(canvas);
      container.appendChild(wrap);
    }

    // layer separators and names
    var labelsG = sv('g', {'class': 'layer-labels'});
    groups.forEach(function (g, k) {
      if (k > 0) {
        var p = g.start * cell;
        labelsG.appendChild(sv('line', {'class': 'separator', x1: left + p, x2: left + p, y1: top, y2: top + size}));
        labelsG.appendChild(sv('line', {'class': 'separator', x1: left, x2: left + size, y1: top + p, y2: top + p}));
      }
      var mid = (g.start + g.end) / 2 * cell;
      var name = g.layer.length > 18 ? g.layer.slice(0, 17) + '…' : g.layer;
      var t = sv('text', {'class': 'group-label', x: left - 6, y: top + mid + 4, 'text-anchor': 'end'}, name);
      t.appendChild(sv('title', null, g.layer + ' (' + (g.end - g.start) + ' blocks)'));
      labelsG.appendChild(t);
      labelsG.appendChild(sv('text', {'class': 'group-label', x: left + mid, y: top + size + 14, 'text-anchor': 'middle'},
          (g.end - g.start) * cell > 40 ? name : ''));
    });
    svg.appendChild(labelsG);

    // colour bar
    var ly = top + size + 26;
    var lw = Math.min(260, size - 110);
    svg.appendChild(sv('rect', {x: left, y: ly, width: lw, height: 10, fill: 'url(#viridis)'}));
    svg.appendChild(sv('text', {x: left, y: ly + 24, 'text-anchor': 'start', id: 'heatmap-min',
      'data-value': exact(Math.pow(10, lo))}, fmt(Math.pow(10, lo))));
    svg.appendChild(sv('text', {x: left + lw, y: ly + 24, 'text-anchor': 'end', id: 'heatmap-max',
      'data-value': exact(Math.pow(10, hi))}, fmt(Math.pow(10, hi))));
    svg.appendChild(sv('text', {x: left + lw / 2, y: ly + 24, 'text-anchor': 'middle'}, 'log scale'));
    svg.appendChild(sv('rect', {x: left + lw + 16, y: ly, width: 14, height: 10, fill: 'url(#hatch)', stroke: '#c3c8cd'}));
    svg.appendChild(sv('text', {x: left + lw + 34, y: ly + 9}, 'not probed'));
    if (b > SVG_MAX_BLOCKS) {
      // drawn at its own size over the canvas (separators and labels visible, mouse events reach the canvas)
      svg.style.width = (left + size + 12) + 'px';
    }
  }

  function renderLayerTable(r) {
    var body = $('layer-table').tBodies[0];
    clear(body);
    if (!r) {
      return;
    }
    r.layers.forEach(function (l, k) {
      var value = function (field, v, se) {
        var td = el('td', null, el('span', {'data-field': field, 'data-value': exact(v)}, fmt(v)));
        if (se !== undefined) {
          td.appendChild(document.createTextNode(' '));
          td.appendChild(el('span', {'class': 'se', 'data-field': field + 'StandardError', 'data-value': exact(se)}, '± ' + fmt(se)));
        }
        return td;
      };
      body.appendChild(el('tr', {'data-layer-index': k},
          el('td', {'class': 'name', 'data-field': 'layer'}, l.layer),
          el('td', {'data-field': 'blocks', 'data-value': l.blocks, 'data-probed': l.probedBlocks}, l.blocks + ' (' + l.probedBlocks + ')'),
          el('td', {'data-field': 'parameters', 'data-value': l.parameters}, String(l.parameters)),
          value('pairwiseRatio', num(l.pairwiseRatio), num(l.pairwiseRatioStandardError)),
          value('offDiagonalMassRatio', num(l.offDiagonalMassRatio), num(l.offDiagonalMassRatioStandardError)),
          value('diagonalRms', num(l.diagonalRms)),
          value('offDiagonalRms', num(l.offDiagonalRms)),
          value('trace', num(l.trace), num(l.traceStandardError))));
    });
  }

  // ---------------------------------------------------------------- start

  function start() {
    $('session-select').addEventListener('change', function (ev) {
      selectSession(ev.target.value, true);
      clearTimeout(state.timer);
      refresh().then(schedule);
    });
    $('worker-select').addEventListener('change', function (ev) {
      state.worker = ev.target.value;
      render();
    });
    window.addEventListener('hashchange', function () {
      var wanted = selectedFromHash();
      if (wanted !== null && wanted !== state.session && findSession(wanted)) {
        selectSession(wanted, false);
        clearTimeout(state.timer);
        refresh().then(schedule);
      }
    });
    // charts follow the page width; a change of height alone redraws nothing
    var resizeTimer = null;
    var drawnWidth = document.querySelector('main').clientWidth;
    window.addEventListener('resize', function () {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(function () {
        var width = document.querySelector('main').clientWidth;
        if (width !== drawnWidth && state.reports.length) {
          drawnWidth = width;
          render();
        }
      }, 200);
    });
    refresh().then(schedule);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
