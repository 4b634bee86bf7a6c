"""The collector: an HTTP service that records tracker requests as raw CollectorPayloads."""
