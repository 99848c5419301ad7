use leptos::prelude::*;

/// `/`: what this console is and where to go from here.
#[component]
pub fn Home() -> impl IntoView {
    view! {
        <section class="page" aria-labelledby="home-title">
            <h1 id="home-title">"Welcome to the Portico console"</h1>
            <p class="lead">
                "Portico is a self-hosted OAuth 2.0 and OpenID Connect authorization server. "
                "This console is where administrators register and manage the applications that "
                "may reach the organisation's data, and where people sign in, decide what an "
                "application may do on their behalf, and later revoke that access."
            </p>
            <div class="cards">
                <article class="card">
                    <h2>"Administrators"</h2>
                    <p>
                        "Create up to ten applications — machine to machine, web application or "
                        "single-page application — rotate their secrets and keys, and read the audit log."
                    </p>
                </article>
                <article class="card">
                    <h2>"Integrating developers"</h2>
                    <p>
                        "Point any standard OAuth 2.0 library at the discovery document and run the "
                        "authorization-code, PKCE or JWT-bearer flow."
                    </p>
                    <ul class="links">
                        <li>
                            <a href="/.well-known/openid-configuration" rel="external">
                                "OpenID Connect discovery document"
                            </a>
                        </li>
                        <li>
                            <a href="/api/v1/openapi.json" rel="external">
                                "Admin API description (OpenAPI)"
                            </a>
                        </li>
                    </ul>
                </article>
                <article class="card">
                    <h2>"Frontend developers"</h2>
                    <p>
                        "This console is itself a single-page OAuth client: its PKCE demo will show "
                        "every step, from verifier and challenge to the token exchange and refresh."
                    </p>
                </article>
            </div>
        </section>
    }
}
