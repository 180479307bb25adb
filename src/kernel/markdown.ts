/**
 * Escapes text for Markdown prose and table cells: characters that would start emphasis,
 * links, code or HTML, and the table separator. Newlines become spaces.
 *
 * @example
 * ```ts
 * import { escapeMarkdown } from 'incidentkit';
 *
 * console.log(escapeMarkdown('p99 > 5s | see *runbook*')); // 'p99 \\> 5s \\| see \\*runbook\\*'
 * ```
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n?|\n/g, ' ')
    .replace(/[\\`*_[\]<>|#~]/g, (c) => `\\${c}`)
    .replace(/^([-+=]|\d+\.)(\s)/, '\\$1$2');
}
