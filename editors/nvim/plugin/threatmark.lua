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

if vim.g.threatmark_autostart ~= false then
  require('threatmark').enable()
end
