/**
 * Checks on the raw text, before the YAML parser runs: what no compose file
 * holds (control characters, a stray BOM, CR-only line ends, a second
 * document) is refused at once, with its line, whatever the size of the file.
 */

/** Text that is not YAML whatever its structure: control characters, a stray BOM, CR-only line ends. */
export function rawTextProblem(text: string): { message: string; offset: number } | undefined {
  const control = /[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(text);
  if (control) return { message: `the file holds the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}, which YAML does not allow; remove it or write it as an escape in a double-quoted string`, offset: control.index };
  const bom = text.indexOf('\ufeff', 1);
  if (bom > 0) return { message: 'a byte-order mark (U+FEFF) in the middle of the file; it would become part of a key', offset: bom };
  const sep = /[\u2028\u2029]/.exec(text);
  if (sep) return { message: `the file holds U+${sep[0].charCodeAt(0).toString(16).toUpperCase()} (a Unicode line separator), which YAML readers disagree on; remove it or write it as an escape in a double-quoted string`, offset: sep.index };
  const cr = /\r(?!\n)/.exec(text);
  if (cr) return { message: 'the file uses CR-only line ends (old Mac style); save it with LF or CRLF line ends', offset: cr.index };
  return undefined;
}

/**
 * Where a second document starts: a `---` line after content (a marker at
 * column 0 is a document marker even inside a scalar), or content after `...`.
 */
export function secondDocumentOffset(text: string): number | undefined {
  // Most files have no marker line at all: one search instead of a walk over every line.
  if (!/^(?:---|\.\.\.)/m.test(text)) return undefined;
  let content = false;
  let ended = false;
  const re = /^(.*)$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const line = m[1]!.replace(/\r$/, '');
    if (re.lastIndex === m.index) re.lastIndex++;
    if (/^---(\s|$)/.test(line)) {
      if (content || ended) return m.index;
      content = line.slice(3).trim() !== '' && !line.slice(3).trim().startsWith('#');
      continue;
    }
    if (/^\.\.\.(\s|$)/.test(line)) {
      ended = content || ended;
      continue;
    }
    if (line.trim() === '' || line.trimStart().startsWith('#') || /^%/.test(line)) continue;
    if (ended) return m.index;
    content = true;
  }
  return undefined;
}
