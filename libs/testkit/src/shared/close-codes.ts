/** Close codes a close frame may carry (RFC 6455 §7.4; 1005/1006/1015 are never sent). */
export function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}
