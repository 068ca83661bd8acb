import { useState } from "preact/hooks";
import { Api, ApiError } from "../api";
import { ProblemBox } from "../components";
import type { ProblemMessage } from "../problem";

/**
 * Asks for an API token and checks it with one read. 401: refused, with a clear message. Any
 * other answer means the token is known (a scoped key without `stock:read` gets 403 here and
 * sees each page's own 403 message later).
 */
export function SignIn({ onSignedIn, notice }: { onSignedIn: (token: string) => void; notice: ProblemMessage | null }) {
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemMessage | null>(notice);

  const submit = async (event: Event) => {
    event.preventDefault();
    const candidate = token.trim();
    if (candidate === "") {
      setProblem({ message: "Enter an API token.", fields: [], code: null, level: null });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await new Api(candidate).get("/v1/stock?limit=1");
      onSignedIn(candidate);
    } catch (error) {
      if (error instanceof ApiError && error.status !== 401 && error.status !== 0) onSignedIn(candidate);
      else setProblem(error instanceof ApiError ? error.problem : { message: String(error), fields: [], code: null, level: null });
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin">
      <form class="card" onSubmit={submit}>
        <h1>
          <img src="/favicon.svg" alt="" width={28} height={28} /> stockflare console
        </h1>
        <p>
          Sign in with an API token: the Worker's <code>API_TOKEN</code> or a scoped <code>sfk_</code> key. It is kept in this tab's session
          storage only and forgotten when the tab closes.
        </p>
        <label for="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          autofocus
        />
        <ProblemBox problem={problem} />
        <button type="submit" disabled={busy}>
          {busy ? "Checking…" : "Sign in"}
        </button>
        <p class="muted">
          The API reference is at <a href="/docs">/docs</a> (no token needed).
        </p>
      </form>
    </main>
  );
}
