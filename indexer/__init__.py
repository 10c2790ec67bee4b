"""Search backends (embedded tantivy, Elasticsearch, OpenSearch), mappings and trends."""
