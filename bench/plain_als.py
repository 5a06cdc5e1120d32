"""The baseline users compare recwh with: a hand-written PySpark ALS script.

Reads MovieLens-100k ratings, fits explicit ALS (maxIter 10, regParam 0.1), and writes
recommendForAllUsers(10) to a Delta folder. Usage: plain_als.py ML_100K_DIR OUTPUT_DIR
"""

import sys

from pyspark.ml.recommendation import ALS
from pyspark.sql import SparkSession

from recwh.spark import delta_jars

ratings_path, output = sys.argv[1], sys.argv[2]
spark = (
    SparkSession.builder.master("local[*]").appName("plain-als")
    .config("spark.jars", ",".join(str(j) for j in delta_jars()))
    .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
    .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
    .getOrCreate()
)
spark.sparkContext.setCheckpointDir(f"{output}/checkpoints")
ratings = spark.read.csv(
    f"{ratings_path}/u.data", sep="\t", schema="user_id int, item_id int, rating float, ts long"
)
als = ALS(maxIter=10, regParam=0.1, userCol="user_id", itemCol="item_id", ratingCol="rating",
          coldStartStrategy="drop", seed=42)
model = als.fit(ratings)
model.recommendForAllUsers(10).write.format("delta").mode("overwrite").save(f"{output}/recommendations")
spark.stop()
