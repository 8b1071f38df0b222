// The extension's entry point: finds the server, starts the language client, and wires
// the commands (Insert threat-model template, Show portfolio report, Restart server,
// Show logs).
import * as vscode from 'vscode';
import { LanguageClient, type ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { clientOptions } from './client';
import { explainText, portfolioReport, threatModelTemplate } from './commands';
import { type FoundServer, locateServer } from './server';

let client: LanguageClient | undefined;
let server: FoundServer | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('threatmark', { log: true });
  context.subscriptions.push(output);

  const start = async (): Promise<void> => {
    server = locateServer(context.extensionPath, output);
    if (!server) {
      void vscode.window.showErrorMessage('threatmark: the language server was not found; see the threatmark output.');
      return;
    }
    const run = { command: server.path, args: ['lsp'], transport: TransportKind.stdio };
    const serverOptions: ServerOptions = { run, debug: run };
    client = new LanguageClient('threatmark', 'threatmark', serverOptions, clientOptions(output));
    try {
      await client.start();
    } catch (e) {
      output.error(`The threatmark server did not start: ${String(e)}`);
    }
  };

  // Diagnostics link to `threatmark://explain/CODE`; opening one shows the rule's text.
  const explanations: vscode.TextDocumentContentProvider = {
    provideTextDocumentContent: (uri) =>
      server ? explainText(server.path, uri.toString()) : 'The threatmark server was not found; see the threatmark output.',
  };
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider('threatmark', explanations),
    vscode.workspace.onDidOpenTextDocument((doc) => {
      if (doc.uri.scheme === 'threatmark') {
        void vscode.languages.setTextDocumentLanguage(doc, 'markdown');
      }
    }),
    vscode.commands.registerCommand('threatmark.restartServer', async () => {
      const old = client;
      client = undefined;
      if (old) {
        await old.stop().catch((e: unknown) => output.error(`Stopping the server failed: ${String(e)}`));
      }
      await start();
    }),
    vscode.commands.registerCommand('threatmark.showLogs', () => output.show(true)),
    vscode.commands.registerCommand('threatmark.insertTemplate', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || !server) {
        void vscode.window.showWarningMessage('threatmark: open a markdown document first (and check the server is found).');
        return;
      }
      const template = await threatModelTemplate(server.path);
      if ('error' in template) {
        void vscode.window.showErrorMessage(`threatmark: ${template.error}`);
        return;
      }
      const eol = editor.document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
      const text = template.text.replace(/\r?\n/g, eol);
      await editor.edit((edit) => edit.insert(editor.selection.active, text));
    }),
    vscode.commands.registerCommand('threatmark.showReport', async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (!folder || !server) {
        void vscode.window.showWarningMessage('threatmark: open a folder (and check the server is found) to see its report.');
        return;
      }
      const binary = server.path;
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'threatmark: building the portfolio report' },
        () => portfolioReport(binary, folder.uri.fsPath),
      );
      if ('error' in report) {
        output.error(report.error);
        void vscode.window.showErrorMessage(`threatmark: ${report.error}`);
        return;
      }
      // The report is one self-contained page; its sorting needs scripts, and it loads
      // nothing from the network.
      const panel = vscode.window.createWebviewPanel('threatmark.report', 'Threat-model report', vscode.ViewColumn.Active, {
        enableScripts: true,
      });
      panel.webview.html = report.html;
      if (report.problems) {
        output.warn(report.problems);
        void vscode.window.showWarningMessage(`threatmark: some files were left out of the report: ${report.problems}`);
      }
    }),
  );

  await start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
