// See node-http.cjs: the same for `node:https`, which loads node:http.
module.exports = process.getBuiltinModule('node:https');
