-- Starts threatmark on markdown buffers without any setup() call; set
-- `vim.g.threatmark_autostart = false` before the plugin loads to start it only from
-- `require('threatmark').setup{}`.
if vim.g.loaded_threatmark then
  return
end
vim.g.loaded_threatmark = true

if vim.fn.has('nvim-0.10') == 0 then
  vim.notify('threatmark needs Neovim 0.10 or newer', vim.log.levels.WARN)
  return
end

-- Diagnostics link to `threatmark://explain/CODE` (their codeDescription); reading such
-- a buffer shows what `threatmark explain CODE` prints.
vim.api.nvim_create_autocmd('BufReadCmd', {
  group = vim.api.nvim_create_augroup('threatmark_explain', { clear = true }),
  pattern = 'threatmark://explain/*',
  callback = function(args)
    require('threatmark').read_explanation(args.buf, args.match)
  end,
})

if vim.g.threatmark_autostart ~= false then
  require('threatmark').enable()
end
