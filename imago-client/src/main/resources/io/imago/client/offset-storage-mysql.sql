CREATE TABLE `meta_topic_partition_group_offset` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `topic` VARCHAR(255) NOT NULL,
  `partition` VARCHAR(255) NOT NULL,
  `group_id` VARCHAR(255) NOT NULL,
  `offset` BIGINT NOT NULL,
  `msg_id` BIGINT NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `TOPIC_PART_GRP_IDX` (`topic`, `partition`, `group_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
