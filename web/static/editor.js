// A small rich-text editor over contenteditable for a record's body, so a
// clerk writes headings, lists, tables, bold text and links without knowing
// HTML. It enhances a <textarea data-rich-text>: without script the textarea
// is the editor, and the form posts the same field either way. What it
// writes is the subset of HTML the server's sanitiser keeps unchanged (the
// same escaping, links with rel="nofollow"), so a body saved from the editor
// is stored as the editor wrote it. Written for this project; no library.
(function () {
  'use strict';

  // Elements kept, by the name they are written as; others are unwrapped
  // (their content kept) or, for DROP, left out with their content.
  var RENAME = { b: 'strong', i: 'em', h1: 'h2', h5: 'h4', h6: 'h4', div: 'p' };
  var KEEP = {
    p: 1, h2: 1, h3: 1, h4: 1, strong: 1, em: 1, u: 1, s: 1, sub: 1, sup: 1, br: 1, ul: 1, ol: 1, li: 1,
    table: 1, thead: 1, tbody: 1, tfoot: 1, tr: 1, th: 1, td: 1, caption: 1, a: 1, blockquote: 1, pre: 1,
    code: 1, hr: 1, img: 1
  };
  var DROP = { script: 1, style: 1, template: 1, noscript: 1, iframe: 1, object: 1, embed: 1, head: 1, title: 1, meta: 1, link: 1 };
  var VOID = { br: 1, hr: 1, img: 1 };
  var BLOCK = {
    p: 1, h2: 1, h3: 1, h4: 1, ul: 1, ol: 1, table: 1, blockquote: 1, pre: 1, hr: 1
  };

  // esc escapes text as the server's sanitiser writes it.
  function esc(s) {
    return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
      .replace(/"/g, '&#34;').replace(/'/g, '&#39;');
  }

  // safeURL keeps web and mail addresses and relative links only.
  function safeURL(href) {
    href = (href || '').trim();
    if (/^(https?:|mailto:)/i.test(href)) { return href; }
    if (href !== '' && !/^[a-z][a-z0-9+.\-]*:/i.test(href)) { return href; }
    return '';
  }

  function nameOf(node) {
    var n = node.nodeName.toLowerCase();
    return RENAME[n] || n;
  }

  // attrs writes the attributes an element keeps, in a fixed order.
  function attrs(el, name) {
    var out = '';
    if (name === 'a') {
      var href = safeURL(el.getAttribute('href'));
      if (href) { out += ' href="' + esc(href) + '" rel="nofollow"'; }
    } else if (name === 'td' || name === 'th') {
      ['colspan', 'rowspan'].forEach(function (a) {
        var v = el.getAttribute(a);
        if (v && /^[0-9]+$/.test(v) && v !== '1') { out += ' ' + a + '="' + v + '"'; }
      });
    } else if (name === 'img') {
      var src = safeURL(el.getAttribute('src'));
      if (src) { out += ' src="' + esc(src) + '"'; }
      if (el.hasAttribute('alt')) { out += ' alt="' + esc(el.getAttribute('alt')) + '"'; }
    }
    return out;
  }

  // inner writes the children of a node.
  function inner(node) {
    var out = '';
    for (var c = node.firstChild; c; c = c.nextSibling) { out += write(c); }
    return out;
  }

  // write writes one node as the canonical HTML of the editor.
  function write(node) {
    if (node.nodeType === 3) { return esc(node.nodeValue); }
    if (node.nodeType !== 1) { return ''; }
    var name = nameOf(node);
    if (DROP[name]) { return ''; }
    if (!KEEP[name]) { return hasBlock(node) ? blocks(node) : inner(node); }
    if (VOID[name]) {
      if (name === 'img' && !safeURL(node.getAttribute('src'))) { return ''; }
      return '<' + name + attrs(node, name) + '>';
    }
    // A container the browser made (a <div> on Enter, or a stored
    // <section>) may hold blocks: it then stands for them.
    if ((node.nodeName.toLowerCase() === 'div' || name === 'p') && hasBlock(node)) { return blocks(node); }
    var body = inner(node);
    // A block holding only the line break the browser keeps for the caret
    // is empty.
    if (BLOCK[name] || name === 'li' || name === 'td' || name === 'th') {
      body = body.replace(/(<br>)+$/, '');
    }
    if (body === '' && (BLOCK[name] || name === 'strong' || name === 'em' || name === 'u' || name === 's' ||
      name === 'a' || name === 'sub' || name === 'sup' || name === 'code')) {
      return '';
    }
    var a = attrs(node, name);
    if (name === 'a' && a === '') { return body; }
    return '<' + name + a + '>' + body + '</' + name + '>';
  }

  // hasBlock reports whether an element holds a block element.
  function hasBlock(node) {
    for (var c = node.firstChild; c; c = c.nextSibling) {
      if (c.nodeType !== 1) { continue; }
      var n = c.nodeName.toLowerCase();
      if (BLOCK[nameOf(c)] || n === 'div' || (!KEEP[nameOf(c)] && !DROP[nameOf(c)] && hasBlock(c))) { return true; }
    }
    return false;
  }

  function serialize(root) { return blocks(root); }

  // blocks writes a run of block content; text and inline elements between
  // blocks go into paragraphs.
  function blocks(root) {
    var out = '';
    var line = '';
    function flush() {
      var t = line.replace(/(<br>)+$/, '');
      if (t.replace(/\s|&nbsp;|\u00a0/g, '') !== '') { out += '<p>' + t + '</p>'; }
      line = '';
    }
    for (var c = root.firstChild; c; c = c.nextSibling) {
      var name = c.nodeType === 1 ? nameOf(c) : '';
      if (BLOCK[name] || (c.nodeType === 1 && hasBlock(c))) {
        flush();
        out += write(c);
      } else if (name === 'br' && line !== '') {
        line += '<br>';
      } else if (name !== 'br') {
        line += write(c);
      }
    }
    flush();
    return out;
  }

  // clean turns any HTML (stored, pasted) into the editor's HTML, parsed in
  // an inert document so nothing in it loads or runs.
  function clean(html) {
    var doc = new DOMParser().parseFromString('<!DOCTYPE html><body>' + html, 'text/html');
    return serialize(doc.body);
  }

  // Empty cells and an empty editor get the line break a caret needs.
  function caretPlaces(root) {
    var cells = root.querySelectorAll('td, th, li');
    for (var i = 0; i < cells.length; i++) {
      if (!cells[i].firstChild) { cells[i].appendChild(document.createElement('br')); }
    }
    if (!root.firstChild) { root.innerHTML = '<p><br></p>'; }
  }

  var editors = 0;

  function enhance(area) {
    editors++;
    var id = 'rte' + editors;
    var form = area.form;
    var label = form.querySelector('label[for="' + area.id + '"]');

    var wrap = document.createElement('div');
    wrap.className = 'rte';
    var bar = document.createElement('div');
    bar.className = 'rte-bar';
    bar.setAttribute('role', 'toolbar');
    bar.setAttribute('aria-label', '正文排版');
    bar.setAttribute('aria-controls', id);
    var box = document.createElement('div');
    box.id = id;
    box.className = 'rte-area rich-text';
    box.contentEditable = 'true';
    box.setAttribute('role', 'textbox');
    box.setAttribute('aria-multiline', 'true');
    if (label) {
      if (!label.id) { label.id = area.id + '-label'; }
      box.setAttribute('aria-labelledby', label.id);
    }
    var help = document.createElement('p');
    help.className = 'hint rte-help';
    help.id = id + '-help';
    help.textContent = '快捷键：Ctrl+B 加粗，Ctrl+I 斜体，Ctrl+K 链接，Ctrl+Z 撤销，Ctrl+Y 重做；Alt+F10 转到工具栏。' +
      '在表格中按 Tab 移到下一格，在最后一格按 Tab 离开编辑区。';
    box.setAttribute('aria-describedby', help.id + (area.getAttribute('aria-describedby') ? ' ' + area.getAttribute('aria-describedby') : ''));
    if (area.getAttribute('aria-invalid')) { box.setAttribute('aria-invalid', 'true'); }

    // The link panel: an address field instead of a browser prompt.
    var panel = document.createElement('div');
    panel.className = 'rte-link';
    panel.hidden = true;
    var linkLabel = document.createElement('label');
    linkLabel.setAttribute('for', id + '-href');
    linkLabel.textContent = '链接地址';
    var linkInput = document.createElement('input');
    linkInput.type = 'url';
    linkInput.id = id + '-href';
    linkInput.placeholder = 'https://';
    var linkOK = button('确定', 'link-ok');
    var linkCancel = button('取消', 'link-cancel');
    linkCancel.className = 'secondary';
    var linkError = document.createElement('p');
    linkError.className = 'error field-error';
    linkError.hidden = true;
    linkError.id = id + '-href-error';
    panel.appendChild(linkLabel);
    panel.appendChild(linkInput);
    panel.appendChild(linkOK);
    panel.appendChild(linkCancel);
    panel.appendChild(linkError);

    function button(text, cmd) {
      var b = document.createElement('button');
      b.type = 'button';
      b.textContent = text;
      b.setAttribute('data-cmd', cmd);
      return b;
    }

    var tools = [
      ['正文', 'p', '普通段落'], ['标题', 'h2', '标题'], ['小标题', 'h3', '小标题'],
      ['加粗', 'bold', '加粗（Ctrl+B）', true], ['斜体', 'italic', '斜体（Ctrl+I）', true],
      ['项目列表', 'ul', '项目符号列表', true], ['编号列表', 'ol', '编号列表', true],
      ['插入表格', 'table', '插入3行3列的表格'], ['加一行', 'row', '在表格当前行下加一行'], ['加一列', 'col', '在表格当前列右边加一列'],
      ['链接', 'link', '把选中的文字设为链接（Ctrl+K）'], ['取消链接', 'unlink', '取消链接'],
      ['撤销', 'undo', '撤销（Ctrl+Z）'], ['重做', 'redo', '重做（Ctrl+Y）'],
      ['源码', 'source', '显示或隐藏排版源码', true]
    ];
    var buttons = [];
    tools.forEach(function (t) {
      var b = button(t[0], t[1]);
      b.title = t[2];
      if (t[3]) { b.setAttribute('aria-pressed', 'false'); }
      b.tabIndex = buttons.length === 0 ? 0 : -1;
      buttons.push(b);
      bar.appendChild(b);
    });
    function tool(cmd) {
      for (var i = 0; i < buttons.length; i++) {
        if (buttons[i].getAttribute('data-cmd') === cmd) { return buttons[i]; }
      }
      return null;
    }

    area.parentNode.insertBefore(wrap, area);
    wrap.appendChild(bar);
    wrap.appendChild(panel);
    wrap.appendChild(box);
    wrap.appendChild(help);
    wrap.appendChild(area);
    area.hidden = true;
    if (label) { label.setAttribute('for', id); }

    var dirty = false;
    var source = false;
    var saved = null;

    function load() {
      box.innerHTML = clean(area.value);
      caretPlaces(box);
    }
    function sync() {
      if (dirty && !source) { area.value = serialize(box); }
    }
    load();
    document.execCommand('defaultParagraphSeparator', false, 'p');

    function inBox(node) { return node && (node === box || box.contains(node)); }
    function remember() {
      var sel = window.getSelection();
      if (sel.rangeCount && inBox(sel.getRangeAt(0).commonAncestorContainer)) {
        saved = sel.getRangeAt(0).cloneRange();
      }
    }
    function restore() {
      box.focus();
      if (saved) {
        var sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(saved);
      }
    }
    function closest(tag) {
      var sel = window.getSelection();
      var n = sel.rangeCount ? sel.getRangeAt(0).startContainer : null;
      while (n && n !== box) {
        if (n.nodeType === 1 && tag.indexOf(n.nodeName.toLowerCase()) >= 0) { return n; }
        n = n.parentNode;
      }
      return null;
    }
    function caretInto(node) {
      var r = document.createRange();
      r.selectNodeContents(node);
      r.collapse(true);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(r);
      saved = r.cloneRange();
    }
    function changed() {
      dirty = true;
      sync();
      states();
    }
    function states() {
      if (source) { return; }
      [['bold', 'bold'], ['italic', 'italic'], ['ul', 'insertUnorderedList'], ['ol', 'insertOrderedList']].forEach(function (p) {
        var on = false;
        try { on = inBox(document.activeElement) || document.activeElement === document.body ? document.queryCommandState(p[1]) : false; } catch (e) { on = false; }
        tool(p[0]).setAttribute('aria-pressed', on ? 'true' : 'false');
      });
    }

    function insertTable() {
      var html = '<table data-new="1"><tbody>';
      for (var r = 0; r < 3; r++) {
        html += '<tr>';
        for (var c = 0; c < 3; c++) { html += '<td><br></td>'; }
        html += '</tr>';
      }
      html += '</tbody></table><p><br></p>';
      // The browser parses inserted HTML in the context of the block the
      // caret is in, and a paragraph cannot hold a table: the block becomes
      // a <div> first (written as a paragraph again), both steps undoable.
      document.execCommand('formatBlock', false, '<div>');
      document.execCommand('insertHTML', false, html);
      var t = box.querySelector('table[data-new]');
      if (t) {
        t.removeAttribute('data-new');
        caretInto(t.querySelector('td'));
      }
    }
    function addRow() {
      var tr = closest(['tr']);
      if (!tr) { return; }
      var copy = document.createElement('tr');
      for (var i = 0; i < tr.cells.length; i++) {
        var cell = document.createElement(tr.cells[i].nodeName.toLowerCase() === 'th' ? 'th' : 'td');
        cell.appendChild(document.createElement('br'));
        copy.appendChild(cell);
      }
      tr.parentNode.insertBefore(copy, tr.nextSibling);
      caretInto(copy.cells[0]);
      changed();
    }
    function addColumn() {
      var cell = closest(['td', 'th']);
      var table = closest(['table']);
      if (!cell || !table) { return; }
      var at = cell.cellIndex;
      for (var i = 0; i < table.rows.length; i++) {
        var row = table.rows[i];
        var ref = row.cells[Math.min(at, row.cells.length - 1)];
        var c = document.createElement(ref && ref.nodeName.toLowerCase() === 'th' ? 'th' : 'td');
        c.appendChild(document.createElement('br'));
        row.insertBefore(c, ref ? ref.nextSibling : null);
      }
      changed();
    }
    function openLink() {
      remember();
      var a = closest(['a']);
      linkInput.value = a ? a.getAttribute('href') : '';
      linkError.hidden = true;
      linkInput.removeAttribute('aria-invalid');
      panel.hidden = false;
      linkInput.focus();
    }
    function closeLink() {
      panel.hidden = true;
      restore();
    }
    function applyLink() {
      var href = safeURL(linkInput.value);
      if (!href || !/^(https?:|mailto:)/i.test(href)) {
        linkError.textContent = '请填写以 http://、https:// 或 mailto: 开头的地址';
        linkError.hidden = false;
        linkInput.setAttribute('aria-invalid', 'true');
        linkInput.setAttribute('aria-describedby', linkError.id);
        linkInput.focus();
        return;
      }
      panel.hidden = true;
      restore();
      var sel = window.getSelection();
      if (sel.isCollapsed && !closest(['a'])) {
        // Nothing selected: the address itself becomes the link's text.
        document.execCommand('insertHTML', false, '<a href="' + esc(href) + '">' + esc(href) + '</a>');
      } else {
        document.execCommand('createLink', false, href);
      }
      changed();
    }
    function toggleSource() {
      var b = tool('source');
      if (!source) {
        sync();
        source = true;
        box.hidden = true;
        area.hidden = false;
        if (label) { label.setAttribute('for', area.id); }
        area.focus();
      } else {
        source = false;
        load();
        dirty = false;
        area.hidden = true;
        box.hidden = false;
        if (label) { label.setAttribute('for', id); }
        box.focus();
      }
      b.setAttribute('aria-pressed', source ? 'true' : 'false');
      buttons.forEach(function (x) {
        if (x !== b) { x.disabled = source; }
      });
    }

    function run(cmd) {
      if (cmd === 'source') { toggleSource(); return; }
      if (source) { return; }
      if (cmd === 'link') { openLink(); return; }
      restore();
      switch (cmd) {
        case 'p': case 'h2': case 'h3':
          document.execCommand('formatBlock', false, '<' + cmd + '>');
          break;
        case 'bold': case 'italic': case 'undo': case 'redo': case 'unlink':
          document.execCommand(cmd, false, null);
          break;
        case 'ul':
          document.execCommand('insertUnorderedList', false, null);
          break;
        case 'ol':
          document.execCommand('insertOrderedList', false, null);
          break;
        case 'table':
          insertTable();
          break;
        case 'row':
          addRow();
          return;
        case 'col':
          addColumn();
          return;
      }
      changed();
    }

    // Mouse clicks on the toolbar keep the caret in the text.
    bar.addEventListener('mousedown', function (e) {
      if (e.target.closest('button')) { e.preventDefault(); }
    });
    bar.addEventListener('click', function (e) {
      var b = e.target.closest('button');
      if (b && !b.disabled) { run(b.getAttribute('data-cmd')); }
    });
    // The toolbar is one tab stop; arrows move along it, Escape goes back
    // to the text.
    bar.addEventListener('keydown', function (e) {
      var live = buttons.filter(function (x) { return !x.disabled; });
      var i = live.indexOf(document.activeElement);
      var next = -1;
      if (e.key === 'ArrowRight') { next = (i + 1) % live.length; }
      if (e.key === 'ArrowLeft') { next = (i - 1 + live.length) % live.length; }
      if (e.key === 'Home') { next = 0; }
      if (e.key === 'End') { next = live.length - 1; }
      if (next >= 0) {
        e.preventDefault();
        buttons.forEach(function (x) { x.tabIndex = -1; });
        live[next].tabIndex = 0;
        live[next].focus();
      } else if (e.key === 'Escape') {
        e.preventDefault();
        if (source) { area.focus(); } else { restore(); }
      }
    });
    // Enter in the address applies the link when the key comes up, so the
    // key's character is not typed over the linked words; its going down
    // must not submit the record's form.
    var entering = false;
    panel.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && e.target === linkInput) { e.preventDefault(); entering = true; }
      if (e.key === 'Escape') { e.preventDefault(); closeLink(); }
    });
    panel.addEventListener('keypress', function (e) {
      if (e.key === 'Enter') { e.preventDefault(); }
    });
    panel.addEventListener('keyup', function (e) {
      if (e.key === 'Enter' && entering) { entering = false; applyLink(); }
    });
    linkOK.addEventListener('click', applyLink);
    linkCancel.addEventListener('click', closeLink);

    box.addEventListener('keydown', function (e) {
      var mod = e.ctrlKey || e.metaKey;
      var k = e.key.toLowerCase();
      if (mod && !e.altKey && (k === 'b' || k === 'i')) {
        e.preventDefault();
        run(k === 'b' ? 'bold' : 'italic');
      } else if (mod && k === 'k') {
        e.preventDefault();
        openLink();
      } else if (mod && (k === 'y' || (k === 'z' && e.shiftKey))) {
        e.preventDefault();
        run('redo');
      } else if (mod && k === 'z') {
        e.preventDefault();
        run('undo');
      } else if (e.altKey && e.key === 'F10') {
        e.preventDefault();
        remember();
        var first = buttons.filter(function (x) { return x.tabIndex === 0; })[0] || buttons[0];
        first.focus();
      } else if (e.key === 'Tab' && !mod && !e.altKey) {
        // In a table, Tab goes from cell to cell; past the last cell (or
        // the first, backwards) it leaves the editor as usual.
        var cell = closest(['td', 'th']);
        var table = closest(['table']);
        if (!cell || !table) { return; }
        var cells = Array.prototype.slice.call(table.querySelectorAll('td, th'));
        var at = cells.indexOf(cell) + (e.shiftKey ? -1 : 1);
        if (at < 0 || at >= cells.length) { return; }
        e.preventDefault();
        caretInto(cells[at]);
      }
    });
    box.addEventListener('input', changed);
    box.addEventListener('focus', function () { document.execCommand('defaultParagraphSeparator', false, 'p'); });
    box.addEventListener('blur', remember);
    box.addEventListener('keyup', function () { remember(); states(); });
    box.addEventListener('mouseup', function () { remember(); states(); });
    box.addEventListener('paste', function (e) {
      var data = e.clipboardData;
      if (!data) { return; }
      e.preventDefault();
      var html = data.getData('text/html');
      if (html) {
        document.execCommand('insertHTML', false, clean(html));
      } else {
        document.execCommand('insertText', false, data.getData('text/plain'));
      }
      changed();
    });
    area.addEventListener('input', function () { dirty = false; });
    form.addEventListener('submit', sync);
    // The serialised body, for a test or a caller that submits otherwise.
    box.rteValue = function () { return serialize(box); };
  }

  function start() {
    var areas = document.querySelectorAll('textarea[data-rich-text]');
    for (var i = 0; i < areas.length; i++) { enhance(areas[i]); }
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
