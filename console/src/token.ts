/**
 * The API token lives in the tab's session storage only: never localStorage, cookies or the
 * URL. It is gone when the tab closes.
 */

const KEY = "stockflare.token";

export function loadToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function clearToken(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // storage unavailable: nothing kept
  }
}
