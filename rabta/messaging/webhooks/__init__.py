"""Provider webhooks: inbound SMS and delivery reports, one module per provider, each request
authenticated by its provider's signature scheme (rabta.messaging.providers.<name>.signature).
Routed by rabta.messaging.webhook_urls, outside the language prefixes and CSRF-exempt."""
