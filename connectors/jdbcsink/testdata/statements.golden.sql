-- PostgreSqlDatabaseDialect
CREATE TABLE "orders" (
"id" BIGINT NOT NULL,
"name" TEXT NOT NULL,
"price" DECIMAL NOT NULL,
"at" TIMESTAMP NOT NULL,
"note" TEXT,
PRIMARY KEY("id"));
INSERT INTO "orders" ("id","name","price","at","note") VALUES ($1,$2,$3,$4,$5),($6,$7,$8,$9,$10);
INSERT INTO "orders" ("id","name","price","at","note") VALUES ($1,$2,$3,$4,$5) ON CONFLICT ("id") DO UPDATE SET "name"=EXCLUDED."name","price"=EXCLUDED."price","at"=EXCLUDED."at","note"=EXCLUDED."note";
UPDATE "orders" SET "name"=$1,"price"=$2,"at"=$3,"note"=$4 WHERE "id"=$5;
DELETE FROM "orders" WHERE "id"=$1;
INSERT INTO "orders" ("id") VALUES ($1) ON CONFLICT ("id") DO NOTHING;
-- MySqlDatabaseDialect
CREATE TABLE `orders` (
`id` BIGINT NOT NULL,
`name` TEXT NOT NULL,
`price` DECIMAL(65,2) NOT NULL,
`at` DATETIME(3) NOT NULL,
`note` TEXT,
PRIMARY KEY(`id`));
INSERT INTO `orders` (`id`,`name`,`price`,`at`,`note`) VALUES (?,?,?,?,?),(?,?,?,?,?);
INSERT INTO `orders` (`id`,`name`,`price`,`at`,`note`) VALUES (?,?,?,?,?) ON DUPLICATE KEY UPDATE `name`=VALUES(`name`),`price`=VALUES(`price`),`at`=VALUES(`at`),`note`=VALUES(`note`);
UPDATE `orders` SET `name`=?,`price`=?,`at`=?,`note`=? WHERE `id`=?;
DELETE FROM `orders` WHERE `id`=?;
INSERT INTO `orders` (`id`) VALUES (?) ON DUPLICATE KEY UPDATE `id`=`id`;
