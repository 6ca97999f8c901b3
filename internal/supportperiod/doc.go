// Package supportperiod holds the rules for a product's defined support
// period: the date until which the manufacturer promises security updates.
//
// The rules come from law:
//   - UK PSTI Schedule 1 paragraph 3: the period must be published, an
//     extension published as soon as practicable, and a period that is later
//     shortened no longer meets the requirement;
//   - EU CRA Article 13(19): the end date is given at least to the month and year;
//   - EN 303 645 provision 5.3-13: publish it accessibly, clearly and transparently.
//
// So a change to a published period is either an extension, which is allowed
// and published at once, or a shortening, which is refused unless forced with
// a reason, and then stays flagged publicly. The package is pure: no storage,
// no clock of its own.
package supportperiod
