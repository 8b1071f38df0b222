-- The server's configuration for Neovim 0.11's `vim.lsp.config` (this plugin's
-- defaults), so `vim.lsp.enable('threatmark')` works with this file alone too.
return require('threatmark').server_config()
