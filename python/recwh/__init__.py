"""recwh: warehouse-centric recommendations for OTT platforms (dbt + Spark ALS on Delta Lake)."""

__version__ = "0.1.0"
