//! What every resolver can reach for the request it serves.

use std::sync::Arc;

use async_graphql::Context;

use super::error::{ApiError, ApiResult};
use crate::{cache::Cache, loaders::Loaders, tenant::Tenant};

/// The tenant a request acts as, and its loaders.
pub struct RequestContext {
    /// The authenticated tenant.
    pub tenant: Arc<Tenant>,
    /// This request's loaders (shared with the tasks that warm them early).
    pub loaders: Arc<Loaders>,
    /// Who is who across vendors, as far as this request has asked.
    pub people: super::people::RequestPeople,
    /// The cache, for what is not a loader's (idempotency records).
    pub cache: Cache,
}

impl RequestContext {
    /// Context for one request of `tenant`.
    pub fn new(tenant: Arc<Tenant>, cache: &Cache) -> Self {
        let loaders = Arc::new(Loaders::new(&tenant, cache));
        Self {
            tenant,
            loaders,
            people: Default::default(),
            cache: cache.clone(),
        }
    }
}

/// Runs `request` for `tenant` on `schema`: every vendor call it makes, retry and wait
/// included, must end within the tenant's request deadline; a call still running then
/// fails as a timeout and nulls only the fields it serves.
pub async fn execute(
    schema: &super::AppSchema,
    request: async_graphql::Request,
    tenant: Arc<Tenant>,
    cache: &Cache,
) -> async_graphql::Response {
    let deadline = tokio::time::Instant::now() + tenant.request_deadline;
    crate::loaders::with_deadline(deadline, async move {
        // Built inside the deadline's scope: the loaders hand it to their batch tasks.
        let context = RequestContext::new(tenant, cache);
        schema.execute(request.data(context)).await
    })
    .await
}

/// The request context of `ctx`.
pub fn request<'a>(ctx: &Context<'a>) -> ApiResult<&'a RequestContext> {
    ctx.data::<RequestContext>()
        .map_err(|_| ApiError::internal("request context missing"))
}

/// The loaders of `ctx`'s request.
pub fn loaders<'a>(ctx: &Context<'a>) -> ApiResult<&'a Loaders> {
    Ok(&request(ctx)?.loaders)
}
