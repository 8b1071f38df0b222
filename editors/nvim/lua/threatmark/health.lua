--- :checkhealth threatmark
local M = {}

function M.check()
  local threatmark = require('threatmark')
  local health = vim.health
  health.start('threatmark')

  if vim.fn.has('nvim-0.10') == 1 then
    health.ok('Neovim ' .. tostring(vim.version()))
  else
    health.error('Neovim 0.10 or newer is needed', { 'Upgrade Neovim.' })
  end

  local cmd = threatmark.config.cmd
  local exe = cmd[1]
  if vim.fn.executable(exe) == 1 then
    local out = vim.system({ exe, '--version' }, { text = true }):wait()
    local version = vim.trim(out.stdout or '')
    health.ok(('server: %s (%s)'):format(vim.fn.exepath(exe), version ~= '' and version or 'no version'))
  else
    health.error(('server: `%s` is not executable'):format(exe), {
      'Install it with `cargo install threatmark`, or point the plugin at it:',
      "require('threatmark').setup({ cmd = { '/path/to/threatmark', 'lsp' } })",
    })
  end

  local clients = vim.lsp.get_clients({ name = 'threatmark' })
  if #clients > 0 then
    for _, client in ipairs(clients) do
      local buffers = vim.tbl_keys(client.attached_buffers)
      health.ok(('client %d running, root %s, %d buffer(s) attached'):format(
        client.id,
        client.root_dir or '(none)',
        #buffers
      ))
    end
  else
    health.info('no threatmark client is running (it starts on a markdown buffer: ' ..
      table.concat(threatmark.config.filetypes, ', ') .. ')')
  end

  local has_dfd = pcall(vim.treesitter.language.inspect, 'dfd')
  if has_dfd then
    health.ok('tree-sitter parser `dfd` found: mermaid diagrams in markdown are highlighted')
  else
    health.info('tree-sitter parser `dfd` not installed: mermaid diagrams are not highlighted', {
      'Build it from grammars/tree-sitter-dfd (README "Editors", Neovim).',
    })
  end
end

return M
