-- Headless Neovim against the real server: `nvim --headless -u NONE -l test/editor_test.lua`
-- with `threatmark` on PATH (scripts/test-editors). Loads the plugin as a plugin manager
-- would, without calling setup(), then drives buffers through Neovim's own LSP client.
-- THREATMARK_DFD_PARSER names a compiled dfd grammar for the query checks.
local nvim_dir = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h')
local repo = vim.fn.fnamemodify(nvim_dir, ':h:h')
local fixtures = repo .. '/editors/test-fixtures'
local design = fixtures .. '/docs/design/ledger-export.md'
local readme = fixtures .. '/README.md'
local EXPECTED_CODES = { 'TM002', 'TM011', 'TM020', 'TM031' }
local TIMEOUT = 15000

local passed, failed = 0, 0

local function test(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    passed = passed + 1
    io.stdout:write('ok - ' .. name .. '\n')
  else
    failed = failed + 1
    io.stdout:write('not ok - ' .. name .. '\n' .. tostring(err) .. '\n')
  end
end

--- Waits for `cond`; on a timeout the error names `what` and, if given, `state()`.
local function wait_for(what, cond, state)
  if not vim.wait(TIMEOUT, cond, 50) then
    error('timed out waiting for ' .. what .. (state and (': ' .. state()) or ''), 2)
  end
end

local function read(path)
  local f = assert(io.open(path, 'rb'))
  local text = f:read('*a')
  f:close()
  return text
end

local function codes(buf)
  local seen, out = {}, {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.source == 'threatmark' and not seen[d.code] then
      seen[d.code] = true
      table.insert(out, d.code)
    end
  end
  table.sort(out)
  return out
end

local function client_of(buf)
  return vim.lsp.get_clients({ bufnr = buf, name = 'threatmark' })[1]
end

local function position_of(buf, needle)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local col = line:find(needle, 1, true)
    if col then
      return { line = i - 1, character = col - 1 }
    end
  end
  error(needle .. ' is not in the buffer')
end

--- Records when Neovim's own diagnostic pulls complete, per buffer. (A pull of our own
--- would race Neovim's: it cancels an earlier pull for the same buffer.)
local pulled = {}
vim.api.nvim_create_autocmd('LspRequest', {
  callback = function(args)
    local request = args.data.request
    if request.method == 'textDocument/diagnostic' and request.type == 'complete' then
      pulled[args.buf] = (pulled[args.buf] or 0) + 1
    end
  end,
})

local function open(path)
  vim.cmd.edit(vim.fn.fnameescape(path))
  return vim.api.nvim_get_current_buf()
end

vim.env.THREATMARK_TODAY = '2026-11-20'
if vim.env.LSP_DEBUG then vim.lsp.log.set_level('debug') end
vim.opt.runtimepath:prepend(nvim_dir)
vim.cmd('filetype on')
vim.cmd.runtime('plugin/threatmark.lua')

local design_buf

test('opening a design doc attaches the client without setup()', function()
  design_buf = open(design)
  assert(vim.bo[design_buf].filetype == 'markdown')
  wait_for('the threatmark client', function()
    return client_of(design_buf) ~= nil
  end)
  assert(client_of(design_buf).root_dir == fixtures, 'root at .threatmark.toml: ' .. tostring(client_of(design_buf).root_dir))
end)

test('diagnostics with the expected codes arrive', function()
  wait_for('diagnostics', function()
    return #vim.diagnostic.get(design_buf) > 0
  end)
  assert(vim.deep_equal(codes(design_buf), EXPECTED_CODES), vim.inspect(codes(design_buf)))
end)

test('hover on a STRIDE word explains it', function()
  local client = client_of(design_buf)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(design_buf) },
    position = position_of(design_buf, 'Tampering'),
  }
  local response = client:request_sync('textDocument/hover', params, TIMEOUT, design_buf)
  assert(response and not response.err, vim.inspect(response))
  assert(response.result, 'no hover on Tampering')
  local text = vim.inspect(response.result.contents)
  assert(text:lower():find('integrity', 1, true), text)
  assert(text:find('?', 1, true), 'guiding questions: ' .. text)
end)

test('a code action applied through the API removes its diagnostic', function()
  local client = client_of(design_buf)
  local diagnostic
  for _, d in ipairs(vim.diagnostic.get(design_buf)) do
    if d.code == 'TM031' then
      diagnostic = d
    end
  end
  assert(diagnostic, 'TM031 on the misspelt severity')
  local lsp_diagnostic = diagnostic.user_data.lsp
  local response = client:request_sync('textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(design_buf) },
    range = lsp_diagnostic.range,
    context = { diagnostics = { lsp_diagnostic }, only = { 'quickfix' } },
  }, TIMEOUT, design_buf)
  assert(response and response.result, vim.inspect(response))
  local action
  for _, a in ipairs(response.result) do
    if a.isPreferred then
      action = a
    end
  end
  assert(action and action.edit, 'a preferred quick fix: ' .. vim.inspect(response.result))
  vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
  local line = vim.api.nvim_buf_get_lines(design_buf, position_of(design_buf, 'T2 |').line, -1, false)[1]
  assert(line:find('| High |', 1, true), line)
  wait_for('TM031 to go', function()
    return not vim.tbl_contains(codes(design_buf), 'TM031')
  end)
end)

test('the link of a diagnostic opens the rule text', function()
  local href
  for _, d in ipairs(vim.diagnostic.get(design_buf)) do
    if d.code == 'TM020' then
      href = d.user_data.lsp.codeDescription.href
    end
  end
  assert(href == 'threatmark://explain/TM020', tostring(href))
  vim.cmd.edit(href)
  local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  assert(text:find('TM020', 1, true) and text:find('## What it does', 1, true), text)
  -- A buffer of nofile type: no server attaches to the explanation.
  assert(vim.bo.buftype == 'nofile')
  vim.cmd.buffer(design_buf)
end)

test('a markdown file that is not a design doc gets no diagnostics', function()
  local buf = open(readme)
  wait_for('the client on the README', function()
    return client_of(buf) ~= nil
  end)
  -- The server has answered a pull for this buffer, so "none" is its answer and not a
  -- report still on its way.
  wait_for('a completed diagnostic pull for the README', function()
    return (pulled[buf] or 0) > 0
  end)
  assert(#vim.diagnostic.get(buf) == 0, vim.inspect(vim.diagnostic.get(buf)))
  vim.api.nvim_set_current_buf(design_buf)
end)

test('setup{} overrides cmd and settings, and restarts the client', function()
  local old = client_of(design_buf)
  require('threatmark').setup({
    cmd = { vim.fn.exepath('threatmark'), 'lsp' },
    settings = { threatmark = { rules = { TM011 = 'warning', TM002 = 'off' } } },
  })
  wait_for('a new client', function()
    local c = client_of(design_buf)
    return c ~= nil and c.id ~= old.id
  end)
  local client = client_of(design_buf)
  assert(client.config.cmd[1] == vim.fn.exepath('threatmark'), vim.inspect(client.config.cmd))
  -- The server reads the settings just after it starts, and may answer Neovim's first
  -- pull before that; Neovim 0.11 cannot be told to pull again (it does not support
  -- workspace/diagnostic/refresh), so an edit makes it pull.
  vim.api.nvim_buf_set_lines(design_buf, -1, -1, false, { '' })
  -- TM011 (a target no threat names) is info by default; TM002 is turned off.
  wait_for('TM011 as a warning and no TM002', function()
    local tm011_warning, tm002 = false, false
    for _, d in ipairs(vim.diagnostic.get(design_buf)) do
      tm011_warning = tm011_warning or (d.code == 'TM011' and d.severity == vim.diagnostic.severity.WARN)
      tm002 = tm002 or d.code == 'TM002'
    end
    return tm011_warning and not tm002
  end, function()
    return vim.inspect({
      clients = vim.tbl_map(function(c)
        return { c.id, c.settings }
      end, vim.lsp.get_clients({ name = 'threatmark' })),
      diagnostics = vim.tbl_map(function(d)
        return { d.code, d.severity, d.namespace }
      end, vim.diagnostic.get(design_buf)),
    })
  end)
end)

test('setup{} overrides filetypes', function()
  require('threatmark').setup({ filetypes = { 'text' } })
  vim.wait(500)
  local buf = vim.api.nvim_create_buf(true, false)
  vim.api.nvim_buf_set_name(buf, fixtures .. '/notes.md')
  vim.api.nvim_set_current_buf(buf)
  vim.bo[buf].filetype = 'markdown'
  vim.wait(1000)
  assert(client_of(buf) == nil, 'markdown is no longer a threatmark filetype')
end)

test(':checkhealth threatmark reports the server', function()
  vim.cmd('checkhealth threatmark')
  local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  assert(text:find('OK server: ' .. vim.fn.exepath('threatmark'), 1, true), text)
  assert(not text:find('ERROR', 1, true), text)
end)

test('the shipped queries are the grammar\'s', function()
  local grammar = repo .. '/grammars/tree-sitter-dfd'
  assert(read(nvim_dir .. '/queries/dfd/highlights.scm') == read(grammar .. '/queries/highlights.scm'),
    'editors/nvim/queries/dfd/highlights.scm differs from grammars/tree-sitter-dfd/queries/highlights.scm: copy it over')
  assert(read(nvim_dir .. '/queries/markdown/injections.scm') == ';; extends\n\n' .. read(grammar .. '/markdown/injections.scm'),
    'editors/nvim/queries/markdown/injections.scm must be ";; extends" and grammars/tree-sitter-dfd/markdown/injections.scm')
end)

test('the queries compile against the dfd grammar and inject it into mermaid blocks', function()
  local parser_path = assert(vim.env.THREATMARK_DFD_PARSER, 'THREATMARK_DFD_PARSER names the compiled grammar')
  vim.treesitter.language.add('dfd', { path = parser_path })
  assert(vim.treesitter.query.get('dfd', 'highlights'), 'the highlights query loads')
  local buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, {
    '# Design', '', '```mermaid', 'flowchart LR', '  a[/User/] -->|login| b((API))', '```',
  })
  local tree = vim.treesitter.get_parser(buf, 'markdown')
  tree:parse(true)
  local children = tree:children()
  assert(children.dfd, 'a dfd tree inside the mermaid block: ' .. vim.inspect(vim.tbl_keys(children)))
  local root = children.dfd:trees()[1]:root()
  assert(not root:has_error(), root:sexpr())
end)

io.stdout:write(('%d passed, %d failed\n'):format(passed, failed))
os.exit(failed == 0 and 0 or 1)
