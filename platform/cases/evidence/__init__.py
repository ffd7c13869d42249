"""Evidence files of a case (处罚法 第四十六条), streamed into the blob store."""
