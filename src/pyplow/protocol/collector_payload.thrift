/*
 * CollectorPayload: the raw record a Snowplow-compatible collector writes for every
 * tracked HTTP request (Iglu key iglu:com.snowplowanalytics.snowplow/CollectorPayload/thrift/1-0-0).
 *
 * Written for pyplow from the published field table; ids and types must never change,
 * because they are the wire format shared with Snowplow's collector and Enrich.
 * Serialized with the Thrift binary protocol.
 */

namespace java com.snowplowanalytics.snowplow.CollectorPayload.thrift.model1
namespace py pyplow.protocol.collector_payload

struct CollectorPayload {
  // What the HTTP layer saw (always recorded).
  100: string ipAddress

  // Collector bookkeeping (always recorded): receive time in ms since the epoch,
  // character encoding of the request, and collector name/version/sink.
  200: i64 timestamp
  210: string encoding
  220: string collector

  // Request details that may be missing.
  300: optional string userAgent
  310: optional string refererUri
  320: optional string path
  330: optional string querystring
  340: optional string body
  350: optional list<string> headers
  360: optional string contentType

  // Collector-derived details that may be missing.
  400: optional string hostname
  410: optional string networkUserId

  // Iglu URI identifying this record format. Declared last on purpose: Thrift code
  // generators (and thriftpy2) write fields in declaration order, and Snowplow's records
  // carry the fields in ascending id order, which puts this one at the end.
  31337: string schema
}
