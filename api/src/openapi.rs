//! The OpenAPI 3.1 document, generated from the route table: every route
//! that is served is described, with the roles it admits (the
//! `x-rxflow-roles` extension), how callers authenticate, and the
//! problem+json answers it can give.

use rxflow_pharmacy::users::Role;
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, ObjectBuilder, OpenApi, OpenApiBuilder, Paths,
    Required, ResponseBuilder, Type,
};

use crate::auth::SESSION_COOKIE;
use crate::auth::access::{Access, RouteSpec};

pub fn document(routes: &[RouteSpec]) -> OpenApi {
    let mut paths = Paths::new();
    for route in routes.iter().filter(|r| r.is_api()) {
        if let Some(method) = http_method(route.method) {
            paths.add_path_operation(&route.path, vec![method], operation(route));
        }
    }
    let components = ComponentsBuilder::new()
        .security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        )
        .security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(SESSION_COOKIE))),
        )
        .schema("Problem", problem_schema())
        .build();
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("rxflow")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some("Prescription intake, clinical checks, review, orders, dispensing and inventory. Every route states the roles it admits in x-rxflow-roles; errors are RFC 9457 problem+json."))
                .build(),
        )
        .paths(paths)
        .components(Some(components))
        .build()
}

fn http_method(method: &str) -> Option<HttpMethod> {
    Some(match method {
        "GET" => HttpMethod::Get,
        "POST" => HttpMethod::Post,
        "PUT" => HttpMethod::Put,
        "PATCH" => HttpMethod::Patch,
        "DELETE" => HttpMethod::Delete,
        _ => return None,
    })
}

fn operation(route: &RouteSpec) -> utoipa::openapi::path::Operation {
    let tag = route
        .path
        .split('/')
        .find(|s| !s.is_empty() && *s != "api" && *s != "v1")
        .unwrap_or("service");
    let mut op = OperationBuilder::new()
        .tag(tag)
        .operation_id(Some(operation_id(route)))
        .extensions(Some(
            ExtensionsBuilder::new()
                .add("x-rxflow-roles", roles(route.access))
                .build(),
        ));
    for name in route
        .path
        .split('{')
        .skip(1)
        .filter_map(|s| s.split('}').next())
    {
        op = op.parameter(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(
                    ObjectBuilder::new().schema_type(Type::Integer).format(Some(
                        utoipa::openapi::SchemaFormat::KnownFormat(
                            utoipa::openapi::KnownFormat::Int64,
                        ),
                    )),
                )),
        );
    }
    if let Some(body) = request_body(route) {
        op = op.request_body(Some(body));
    }
    op = op.response("2XX", ResponseBuilder::new().description("Success").build());
    for (code, why) in [
        ("400", "Malformed request"),
        ("404", "Not found"),
        ("409", "Conflict with the record's state"),
        ("422", "Well-formed but refused"),
    ] {
        op = op.response(code, problem(why));
    }
    if route.access != Access::Public {
        op = op
            .response("401", problem("Not signed in"))
            .response(
                "403",
                problem("Signed in with a role this route does not admit"),
            )
            .security(SecurityRequirement::new("bearer", Vec::<String>::new()))
            .security(SecurityRequirement::new("session", Vec::<String>::new()));
    }
    op.build()
}

fn operation_id(route: &RouteSpec) -> String {
    let words: Vec<&str> = route
        .path
        .split(['/', '-'])
        .filter(|s| !s.is_empty() && *s != "api" && *s != "v1")
        .map(|s| if s.starts_with('{') { "by_id" } else { s })
        .collect();
    format!("{}_{}", route.method.to_lowercase(), words.join("_"))
}

fn roles(access: Access) -> serde_json::Value {
    match access {
        Access::Public => serde_json::json!(["anyone"]),
        Access::SignedIn => serde_json::json!(Role::ALL.map(Role::as_str)),
        Access::Roles(roles) => {
            serde_json::json!(roles.iter().map(|r| r.as_str()).collect::<Vec<_>>())
        }
    }
}

fn request_body(route: &RouteSpec) -> Option<utoipa::openapi::request_body::RequestBody> {
    if route.method == "GET" || route.method == "DELETE" {
        return None;
    }
    let (media, schema) = if route.path == "/api/v1/prescriptions" {
        let image = ObjectBuilder::new()
            .property(
                "image",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .content_media_type("image/jpeg"),
            )
            .required("image");
        ("multipart/form-data", image)
    } else {
        (
            "application/json",
            ObjectBuilder::new().schema_type(Type::Object),
        )
    };
    Some(
        RequestBodyBuilder::new()
            .content(media, ContentBuilder::new().schema(Some(schema)).build())
            .build(),
    )
}

fn problem(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(utoipa::openapi::Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

fn problem_schema() -> utoipa::openapi::schema::Object {
    let text = || ObjectBuilder::new().schema_type(Type::String);
    ObjectBuilder::new()
        .property("type", text())
        .property("title", text())
        .property("status", ObjectBuilder::new().schema_type(Type::Integer))
        .property("detail", text())
        .required("type")
        .required("status")
        .build()
}
