/**
 * MCP client: servers configured in hob.yaml (`mcp_servers:`, the `.mcp.json` shape), started
 * per task (stdio, optionally under the skills' bubblewrap sandbox, or Streamable HTTP), their
 * tools registered in the tool registry as `mcp__<server>__<tool>` under the approval gate.
 */
export { type ConnectOptions, MAX_MESSAGE_BYTES, McpConnection, type McpToolDefinition } from "./connection.js";
export { BASIC_ENV, serverEnvironment } from "./env.js";
export { expandVariables, HOB_SECRETS } from "./expand.js";
export { type ImportedServers, parseMcpJson } from "./import.js";
export { canonical, definitionHash, MAX_TOOL_NAME, modelToolName } from "./names.js";
export { type RememberedApproval, RememberedApprovals, rememberFromTarget } from "./remembered.js";
export { McpSession, openMcpTools, scopedServers } from "./session.js";
export { type McpToolInfo, resultText, type ToolApproval, toolsOf } from "./tools.js";
