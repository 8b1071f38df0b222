--- threatmark for Neovim: runs `threatmark lsp` on markdown buffers.
---
--- Works without `setup()`: plugin/threatmark.lua enables the server with the defaults
--- below. `setup{}` overrides `cmd`, `settings`, `filetypes` and `root_markers`. On 0.11+
--- the server is declared with `vim.lsp.config` and started by `vim.lsp.enable`; on 0.10
--- a FileType autocommand calls `vim.lsp.start`.
local M = {}

--- The server's settings are the keys of `.threatmark.toml` (README "Configuration"),
--- answered to `workspace/configuration` section `threatmark`; a key the file sets wins.
M.defaults = {
  cmd = { 'threatmark', 'lsp' },
  -- Every markdown buffer: the server decides which are design docs and leaves the
  -- others without diagnostics (hovers still work there).
  filetypes = { 'markdown' },
  root_markers = { '.threatmark.toml', '.git' },
  settings = { threatmark = vim.empty_dict() },
}

M.config = vim.deepcopy(M.defaults)

local group = vim.api.nvim_create_augroup('threatmark', { clear = true })

--- The server configuration as `vim.lsp.config` / `vim.lsp.start` take it.
function M.server_config()
  local c = M.config
  return {
    cmd = c.cmd,
    filetypes = c.filetypes,
    root_markers = c.root_markers,
    settings = c.settings,
  }
end

local function start_on(buf)
  -- Only buffers of files (an explanation buffer is `nofile`).
  if vim.bo[buf].buftype ~= '' then
    return
  end
  local c = M.config
  local name = vim.api.nvim_buf_get_name(buf)
  vim.lsp.start({
    name = 'threatmark',
    cmd = c.cmd,
    root_dir = vim.fs.root(buf, c.root_markers) or vim.fs.dirname(name),
    settings = c.settings,
  }, { bufnr = buf })
end

--- Starts the server on the loaded buffers of its filetypes: those opened before the
--- plugin was enabled (0.10; on 0.11 `vim.lsp.enable` does it).
local function start_on_loaded()
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if
      vim.api.nvim_buf_is_loaded(buf)
      and vim.bo[buf].buftype == ''
      and vim.tbl_contains(M.config.filetypes, vim.bo[buf].filetype)
    then
      start_on(buf)
    end
  end
end

--- Declares the server and starts it on matching buffers (those already open too).
function M.enable()
  if vim.fn.executable(M.config.cmd[1]) == 0 then
    -- Reported by :checkhealth threatmark; no error on every markdown buffer.
    return
  end
  vim.api.nvim_clear_autocmds({ group = group })
  if vim.fn.has('nvim-0.11') == 1 then
    -- Assigned, not merged: `vim.lsp.config(name, cfg)` would merge lists index by index,
    -- keeping stale root markers or filetypes after a setup{} that shortens them.
    vim.lsp.config['threatmark'] = M.server_config()
    -- Also starts the server on the buffers already loaded.
    vim.lsp.enable('threatmark')
  else
    vim.api.nvim_create_autocmd('FileType', {
      group = group,
      pattern = M.config.filetypes,
      callback = function(args)
        start_on(args.buf)
      end,
    })
    start_on_loaded()
  end
end

--- Fills `buf` with the rule text that `uri` (`threatmark://explain/TM020`) stands for.
function M.read_explanation(buf, uri)
  local code = uri:match('^threatmark://explain/([%w_-]+)$')
  local lines
  if not code then
    lines = { uri .. ' is not a threatmark explanation.' }
  else
    local out = vim.system({ M.config.cmd[1], 'explain', code }, { text = true }):wait()
    lines = vim.split(vim.trim(out.code == 0 and out.stdout or (out.stderr or '')), '\n')
  end
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].modifiable = false
  vim.bo[buf].filetype = 'markdown'
end

--- Stops the running clients so the next `enable` starts them with the new config.
local function stop_clients()
  for _, client in ipairs(vim.lsp.get_clients({ name = 'threatmark' })) do
    vim.lsp.stop_client(client.id)
  end
end

--- Calls `fn` once every threatmark client has exited (at most after about 5 s).
local function when_stopped(fn, tries)
  tries = tries or 100
  if #vim.lsp.get_clients({ name = 'threatmark' }) == 0 or tries == 0 then
    fn()
  else
    vim.defer_fn(function()
      when_stopped(fn, tries - 1)
    end, 50)
  end
end

--- Overrides the defaults: `cmd`, `settings` (merged into the defaults), `filetypes`,
--- `root_markers`. May be called again; running clients restart with the new config.
---@param opts? { cmd?: string[], settings?: table, filetypes?: string[], root_markers?: string[] }
function M.setup(opts)
  opts = opts or {}
  -- The table form of vim.validate, which 0.10 and 0.11 both take.
  vim.validate({
    cmd = { opts.cmd, 'table', true },
    settings = { opts.settings, 'table', true },
    filetypes = { opts.filetypes, 'table', true },
    root_markers = { opts.root_markers, 'table', true },
  })
  M.config = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts)
  -- Lists replace the defaults rather than merge index by index.
  for _, key in ipairs({ 'cmd', 'filetypes', 'root_markers' }) do
    if opts[key] then
      M.config[key] = opts[key]
    end
  end
  -- A client keeps the cmd and settings it started with: stop the running ones and
  -- start again once they have exited (starting while they were still stopping left
  -- buffers without a client).
  stop_clients()
  when_stopped(M.enable)
end

return M
