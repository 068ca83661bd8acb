import { useEffect, useMemo, useState } from "preact/hooks";
import { Api } from "./api";
import { AlertsPage } from "./pages/Alerts";
import { ItemPage } from "./pages/Item";
import { SignIn } from "./pages/SignIn";
import { StockPageView } from "./pages/Stock";
import { WebhooksPage } from "./pages/Webhooks";
import type { ProblemMessage } from "./problem";
import { href, parseRoute, type Route } from "./route";
import { clearToken, loadToken, saveToken } from "./token";

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", update);
    return () => removeEventListener("hashchange", update);
  }, []);
  return route;
}

const NAV: { page: Route["page"]; label: string; route: Route }[] = [
  { page: "stock", label: "Stock", route: { page: "stock" } },
  { page: "alerts", label: "Alerts", route: { page: "alerts" } },
  { page: "webhooks", label: "Webhooks", route: { page: "webhooks" } },
];

export function App() {
  const [token, setToken] = useState<string | null>(loadToken);
  const [notice, setNotice] = useState<ProblemMessage | null>(null);
  const route = useRoute();

  const api = useMemo(
    () =>
      token === null
        ? null
        : new Api(token, (message) => {
            // The token stopped working (wrong, or its key was deleted): back to sign-in, saying why.
            clearToken();
            setNotice({ message, fields: [], code: "unauthorized", level: null });
            setToken(null);
          }),
    [token],
  );

  useEffect(() => {
    const titles: Record<Route["page"], string> = { stock: "Stock", item: "Item", alerts: "Alerts", webhooks: "Webhooks" };
    document.title = token === null ? "Sign in · stockflare" : `${route.page === "item" ? route.sku : titles[route.page]} · stockflare`;
  }, [route, token]);

  if (token === null || api === null) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(t) => {
          saveToken(t);
          setNotice(null);
          setToken(t);
        }}
      />
    );
  }

  const active = route.page === "item" ? "stock" : route.page;
  return (
    <>
      <header class="topbar">
        <a class="brand" href={href({ page: "stock" })}>
          <img src="/favicon.svg" alt="" width={22} height={22} /> stockflare
        </a>
        <nav>
          {NAV.map((item) => (
            <a
              key={item.page}
              href={href(item.route)}
              class={active === item.page ? "active" : ""}
              aria-current={active === item.page ? "page" : undefined}
            >
              {item.label}
            </a>
          ))}
          <a href="/docs" target="_blank" rel="noopener">
            API reference
          </a>
        </nav>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            clearToken();
            setToken(null);
          }}
        >
          Sign out
        </button>
      </header>
      <main class="content">
        {route.page === "stock" && <StockPageView api={api} />}
        {route.page === "item" && (
          <ItemPage key={`${route.sku}/${route.warehouse}`} api={api} token={token} sku={route.sku} warehouse={route.warehouse} />
        )}
        {route.page === "alerts" && <AlertsPage api={api} />}
        {route.page === "webhooks" && <WebhooksPage api={api} />}
      </main>
    </>
  );
}
