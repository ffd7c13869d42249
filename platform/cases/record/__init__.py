"""The case and its full-process record (全过程记录, 处罚法 第四十七条): the model, the append-only event log and its hash chain."""
