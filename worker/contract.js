// The Worker's contract (src/contract.json) for Node consumers; its types are in contract.d.ts.
module.exports = require('./src/contract.json');
